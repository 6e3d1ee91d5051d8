"""Form resources (``.form``, Camunda Forms JSON) of a deployment: versioned by the form's ``id``.

A form whose resource (same name, same content) equals the latest version of its id is a
duplicate and keeps that version and key; otherwise FORM CREATED is written.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from strom.engine.processing.deployment._keys import KeySource
from strom.engine.processing.writers import Writers
from strom.engine.state.form import FormState
from strom.engine.state.process import checksum_of
from strom.protocol.intents import FormIntent
from strom.protocol.values.form import FormMetadataValue, FormRecordValue

FORM_EXTENSIONS = (".form",)


@dataclass(frozen=True, slots=True)
class ParsedForm:
    resource_name: str
    resource: bytes
    form_id: str
    version_tag: str


class FormResources:
    def __init__(self, forms: FormState, keys: KeySource) -> None:
        self._forms = forms
        self._keys = keys

    @staticmethod
    def parse(name: str, data: bytes) -> ParsedForm | str:
        """The form's id (and version tag), or the reason the resource is rejected."""
        try:
            document = msgspec.json.decode(data)
        except msgspec.DecodeError as error:
            return f"'{name}': expected a JSON document (Camunda form), but it is not valid JSON: {error}"
        form_id = document.get("id") if isinstance(document, dict) else None
        if not isinstance(form_id, str) or not form_id:
            return f"'{name}': Expected the form id to be present, but none given"
        version_tag = document.get("versionTag", "")
        return ParsedForm(name, data, form_id, version_tag if isinstance(version_tag, str) else "")

    @staticmethod
    def duplicate_ids(parsed: list[ParsedForm]) -> list[str]:
        seen: dict[str, str] = {}
        errors = []
        for form in parsed:
            if form.form_id in seen:
                errors.append(
                    "Expected the form ids to be unique within a deployment but found a duplicated id "
                    f"'{form.form_id}' in the resources '{seen[form.form_id]}' and '{form.resource_name}'."
                )
            seen.setdefault(form.form_id, form.resource_name)
        return errors

    def create(
        self, writers: Writers, deployment_key: int, tenant_id: str, parsed: list[ParsedForm]
    ) -> list[FormMetadataValue]:
        metadata: list[FormMetadataValue] = []
        for form in parsed:
            checksum = checksum_of(form.resource)
            latest = self._forms.latest(tenant_id, form.form_id)
            if (
                latest is not None
                and latest.checksum == checksum
                and latest.resource_name == form.resource_name
            ):
                metadata.append(_metadata(latest, duplicate=True))
                continue
            record = FormRecordValue(
                form_id=form.form_id,
                version=self._forms.highest_version(tenant_id, form.form_id) + 1,
                version_tag=form.version_tag,
                form_key=self._keys.next_key(),
                resource_name=form.resource_name,
                checksum=checksum,
                deployment_key=deployment_key,
                resource=form.resource,
                tenant_id=tenant_id,
            )
            writers.append_event(record.form_key, FormIntent.CREATED, record)
            metadata.append(_metadata(record, duplicate=False))
        return metadata


def _metadata(record: FormRecordValue, duplicate: bool) -> FormMetadataValue:
    return FormMetadataValue(
        form_id=record.form_id,
        version=record.version,
        version_tag=record.version_tag,
        form_key=record.form_key,
        resource_name=record.resource_name,
        checksum=record.checksum,
        duplicate=duplicate,
        deployment_key=record.deployment_key,
        tenant_id=record.tenant_id,
    )
