"""Deployed forms (Camunda Forms JSON): by key, by (id, version), the latest version per id.

A resource deletion deletes a form: deleting the latest version makes the version before it the
latest, and version numbers are never reused, so the highest version ever deployed is kept too, in
the same entry as the latest (see :mod:`strom.engine.state.decision`).
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, pack_long, unpack_long
from strom.engine.state import column_families as cf
from strom.engine.state.decision import lower_latest, raise_latest, versions
from strom.engine.state.tenant import tenant_qualified
from strom.protocol.values.form import FormRecordValue

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(FormRecordValue).decode


class FormState(Protocol):
    def by_key(self, key: int) -> FormRecordValue | None: ...
    def by_id_and_version(self, tenant_id: str, form_id: str, version: int) -> FormRecordValue | None: ...
    def latest(self, tenant_id: str, form_id: str) -> FormRecordValue | None: ...
    def latest_version(self, tenant_id: str, form_id: str) -> int: ...
    def highest_version(self, tenant_id: str, form_id: str) -> int: ...


class MutableFormState(FormState, Protocol):
    def put(self, record: FormRecordValue) -> None: ...
    def delete(self, record: FormRecordValue) -> None: ...


class DbFormState:
    def __init__(self, db: Database) -> None:
        self._forms = db.column_family(cf.FORMS)
        self._versions = db.column_family(cf.FORM_VERSIONS)
        self._latest = db.column_family(cf.FORM_LATEST)

    def by_key(self, key: int) -> FormRecordValue | None:
        raw = self._forms.get(pack_long(key))
        return None if raw is None else _decode(raw)

    def by_id_and_version(self, tenant_id: str, form_id: str, version: int) -> FormRecordValue | None:
        raw = self._versions.get(pack(tenant_qualified(tenant_id, form_id), version))
        return None if raw is None else self.by_key(unpack_long(raw))

    def latest_version(self, tenant_id: str, form_id: str) -> int:
        return versions(self._latest, tenant_qualified(tenant_id, form_id))[0]

    def highest_version(self, tenant_id: str, form_id: str) -> int:
        """The highest version ever deployed, deleted ones included: new versions count on from it."""
        return versions(self._latest, tenant_qualified(tenant_id, form_id))[1]

    def latest(self, tenant_id: str, form_id: str) -> FormRecordValue | None:
        version = self.latest_version(tenant_id, form_id)
        return None if version == 0 else self.by_id_and_version(tenant_id, form_id, version)

    def put(self, record: FormRecordValue) -> None:
        form_id = tenant_qualified(record.tenant_id, record.form_id)
        self._forms.put(pack_long(record.form_key), _encode(record))
        self._versions.put(pack(form_id, record.version), pack_long(record.form_key))
        raise_latest(self._latest, form_id, record.version)

    def delete(self, record: FormRecordValue) -> None:
        """Forget a form; if it was the latest version, the version before it becomes the latest."""
        form_id = tenant_qualified(record.tenant_id, record.form_id)
        self._forms.delete(pack_long(record.form_key))
        self._versions.delete(pack(form_id, record.version))
        lower_latest(self._latest, self._versions, form_id, record.version)
