"""PROCESS values: a deployed process definition, and its metadata as listed in a deployment."""

from __future__ import annotations

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID


class ProcessMetadataValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A process of a deployment without its BPMN bytes.

    ``checksum`` is the MD5 digest of the resource; ``duplicate`` means an identical resource was
    deployed before, so no new version was created and the keys are the existing ones.
    """

    bpmn_process_id: str = ""
    version: int = -1
    version_tag: str = ""
    process_definition_key: int = -1
    resource_name: str = ""
    checksum: bytes = b""
    duplicate: bool = False
    deployment_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID


class ProcessRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A deployed process definition with its BPMN bytes, as stored and distributed."""

    bpmn_process_id: str = ""
    version: int = -1
    version_tag: str = ""
    process_definition_key: int = -1
    resource_name: str = ""
    checksum: bytes = b""
    duplicate: bool = False
    deployment_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID
    resource: bytes = b""
