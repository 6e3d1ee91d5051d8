"""FORM values: a deployed form, and its metadata as listed in a deployment."""

from __future__ import annotations

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID


class FormMetadataValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A form of a deployment without its JSON bytes."""

    form_id: str = ""
    version: int = -1
    version_tag: str = ""
    form_key: int = -1
    resource_name: str = ""
    checksum: bytes = b""
    duplicate: bool = False
    deployment_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID


class FormRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A deployed form with its JSON bytes (Zeebe's ``Form``)."""

    form_id: str = ""
    version: int = -1
    version_tag: str = ""
    form_key: int = -1
    resource_name: str = ""
    checksum: bytes = b""
    duplicate: bool = False
    deployment_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID
    resource: bytes = b""
