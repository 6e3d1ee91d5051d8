"""DEPLOYMENT and DEPLOYMENT_DISTRIBUTION values."""

from __future__ import annotations

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.protocol.values.decision import DecisionRecordValue, DecisionRequirementsMetadataValue
from strom.protocol.values.form import FormMetadataValue
from strom.protocol.values.process import ProcessMetadataValue


class DeploymentResource(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """One file of a deployment: its name (which picks the parser by extension) and its bytes."""

    resource_name: str = ""
    resource: bytes = b""


class DeploymentRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A deployment: the CREATE command carries ``resources``; CREATED adds what they defined."""

    resources: list[DeploymentResource] = []
    processes_metadata: list[ProcessMetadataValue] = []
    decisions_metadata: list[DecisionRecordValue] = []
    decision_requirements_metadata: list[DecisionRequirementsMetadataValue] = []
    form_metadata: list[FormMetadataValue] = []
    deployment_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID


class DeploymentDistributionRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """Zeebe's pre-8.3 per-partition deployment distribution; kept so old logs still read."""

    partition_id: int = -1
