"""DMN resources of a deployment: one decision requirements graph (DRG) per resource, versioned
by its id, and its decisions versioned by theirs.

A DRG whose resource (same name, same content) equals the latest version of its id is a
duplicate: it and its decisions keep their versions and keys, and no events are written for them.
Otherwise DECISION_REQUIREMENTS CREATED is written, then DECISION CREATED for each decision.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from strom.dmn import DecisionRequirementsGraph, DmnError
from strom.engine.processing.deployment._keys import KeySource
from strom.engine.processing.writers import Writers
from strom.engine.state.decision import DecisionState
from strom.engine.state.process import checksum_of
from strom.protocol.intents import DecisionIntent, DecisionRequirementsIntent
from strom.protocol.values.decision import (
    DecisionRecordValue,
    DecisionRequirementsMetadataValue,
    DecisionRequirementsRecordValue,
)

DMN_EXTENSIONS = (".dmn",)


@dataclass(frozen=True, slots=True)
class ParsedDmn:
    resource_name: str
    resource: bytes
    graph: DecisionRequirementsGraph


class DecisionResources:
    def __init__(self, decisions: DecisionState, keys: KeySource) -> None:
        self._decisions = decisions
        self._keys = keys

    def parse(self, name: str, data: bytes) -> ParsedDmn | str:
        """The parsed resource, or the reason it is rejected."""
        try:
            return ParsedDmn(name, data, self._decisions.parse(name, data))
        except DmnError as error:
            return f"'{name}':\n{error}"

    @staticmethod
    def duplicate_ids(parsed: list[ParsedDmn]) -> list[str]:
        errors: list[str] = []
        drgs: dict[str, str] = {}
        decisions: dict[str, str] = {}
        for item in parsed:
            graph = item.graph
            if graph.id in drgs:
                errors.append(
                    "Expected the decision requirements ids to be unique within a deployment but found "
                    f"a duplicated id '{graph.id}' in the resources '{drgs[graph.id]}' and "
                    f"'{item.resource_name}'."
                )
            drgs.setdefault(graph.id, item.resource_name)
            for decision in graph.decisions:
                if decision.id in decisions:
                    errors.append(
                        "Expected the decision ids to be unique within a deployment but found a "
                        f"duplicated id '{decision.id}' in the resources '{decisions[decision.id]}' "
                        f"and '{item.resource_name}'."
                    )
                decisions.setdefault(decision.id, item.resource_name)
        return errors

    def create(
        self, writers: Writers, deployment_key: int, tenant_id: str, parsed: list[ParsedDmn]
    ) -> tuple[list[DecisionRequirementsMetadataValue], list[DecisionRecordValue]]:
        """Write the events of the new versions (of tenant ``tenant_id``); returns the deployment's
        metadata lists."""
        drg_metadata: list[DecisionRequirementsMetadataValue] = []
        decision_metadata: list[DecisionRecordValue] = []
        for item in parsed:
            graph = item.graph
            checksum = checksum_of(item.resource)
            latest = self._decisions.latest_requirements(tenant_id, graph.id)
            if (
                latest is not None
                and latest.checksum == checksum
                and latest.resource_name == item.resource_name
            ):
                drg_metadata.append(_drg_metadata(latest, duplicate=True))
                for decision in graph.decisions:
                    stored = self._decisions.decision_in_requirements(
                        latest.decision_requirements_key, decision.id
                    )
                    if stored is not None:
                        decision_metadata.append(msgspec.structs.replace(stored, duplicate=True))
                continue
            drg = DecisionRequirementsRecordValue(
                decision_requirements_id=graph.id,
                decision_requirements_name=graph.name,
                decision_requirements_version=self._decisions.highest_requirements_version(
                    tenant_id, graph.id
                )
                + 1,
                decision_requirements_key=self._keys.next_key(),
                namespace=graph.namespace,
                resource_name=item.resource_name,
                checksum=checksum,
                deployment_key=deployment_key,
                resource=item.resource,
                tenant_id=tenant_id,
            )
            writers.append_event(drg.decision_requirements_key, DecisionRequirementsIntent.CREATED, drg)
            drg_metadata.append(_drg_metadata(drg, duplicate=False))
            for decision in graph.decisions:
                record = DecisionRecordValue(
                    decision_id=decision.id,
                    decision_name=decision.name,
                    version=self._decisions.highest_decision_version(tenant_id, decision.id) + 1,
                    version_tag=decision.version_tag,
                    decision_key=self._keys.next_key(),
                    decision_requirements_id=drg.decision_requirements_id,
                    decision_requirements_key=drg.decision_requirements_key,
                    deployment_key=deployment_key,
                    tenant_id=tenant_id,
                )
                writers.append_event(record.decision_key, DecisionIntent.CREATED, record)
                decision_metadata.append(record)
        return drg_metadata, decision_metadata


def _drg_metadata(
    record: DecisionRequirementsRecordValue, duplicate: bool
) -> DecisionRequirementsMetadataValue:
    return DecisionRequirementsMetadataValue(
        decision_requirements_id=record.decision_requirements_id,
        decision_requirements_name=record.decision_requirements_name,
        decision_requirements_version=record.decision_requirements_version,
        decision_requirements_key=record.decision_requirements_key,
        namespace=record.namespace,
        resource_name=record.resource_name,
        checksum=record.checksum,
        duplicate=duplicate,
        deployment_key=record.deployment_key,
        tenant_id=record.tenant_id,
    )
