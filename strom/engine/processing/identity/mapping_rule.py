"""MAPPING_RULE CREATE, UPDATE and DELETE (Zeebe's ``MappingRuleCreateProcessor`` …).

A mapping rule is found by its id; a claim (name, value) maps to one rule at most. Deleting a rule
takes it out of its groups, roles and tenants and deletes its authorizations first.
"""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.identity._cascade import deletion_cascade
from strom.engine.processing.identity._support import (
    Accepted,
    Decision,
    IdentityCommands,
    Rejected,
    invalid_id,
    missing,
)
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import MappingRuleIntent
from strom.protocol.record import Record
from strom.protocol.values.identity import AuthorizationOwnerType, EntityType, MappingRuleRecordValue
from strom.stream.key_generator import KeyGenerator


def _invalid(verb: str, rule: MappingRuleRecordValue) -> Rejected | None:
    return (
        invalid_id(verb, "mapping rule", "mappingRuleId", rule.mapping_rule_id)
        or missing(verb, "mapping rule", "claimName", rule.claim_name)
        or missing(verb, "mapping rule", "claimValue", rule.claim_value)
        or missing(verb, "mapping rule", "name", rule.name)
    )


def _claim_taken(verb: str, rule: MappingRuleRecordValue) -> Rejected:
    return Rejected(
        RejectionType.ALREADY_EXISTS,
        f"Expected to {verb} mapping rule with claimName '{rule.claim_name}' and claimValue "
        f"'{rule.claim_value}', but a mapping rule with this claim already exists",
    )


class _MappingRuleProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._identity = state.identity
        self._commands = IdentityCommands(state, behaviors, keys)


class MappingRuleCreateProcessor(_MappingRuleProcessor):
    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=True)

    def _decide(self, rule: MappingRuleRecordValue, distributed: bool) -> Decision:
        invalid = None if distributed else _invalid("create", rule)
        if invalid is not None:
            return invalid
        if self._identity.mapping_rule_for_claim(rule.claim_name, rule.claim_value) is not None:
            return _claim_taken("create", rule)
        if self._identity.mapping_rule(rule.mapping_rule_id) is not None:
            return Rejected(
                RejectionType.ALREADY_EXISTS,
                f"Expected to create mapping rule with id '{rule.mapping_rule_id}', but a mapping rule "
                "with this id already exists",
            )
        if distributed:
            return Accepted(rule.mapping_rule_key, MappingRuleIntent.CREATED, rule)
        key = self._commands.next_key()
        return Accepted(key, MappingRuleIntent.CREATED, replace(rule, mapping_rule_key=key))


class MappingRuleUpdateProcessor(_MappingRuleProcessor):
    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=False)

    def _decide(self, rule: MappingRuleRecordValue, distributed: bool) -> Decision:
        invalid = None if distributed else _invalid("update", rule)
        if invalid is not None:
            return invalid
        stored = self._identity.mapping_rule(rule.mapping_rule_id)
        if stored is None:
            return Rejected(
                RejectionType.NOT_FOUND,
                f"Expected to update mapping rule with id '{rule.mapping_rule_id}', but a mapping rule "
                "with this id does not exist",
            )
        owner = self._identity.mapping_rule_for_claim(rule.claim_name, rule.claim_value)
        if owner is not None and owner != rule.mapping_rule_id:
            return _claim_taken("update", rule)
        updated = replace(rule, mapping_rule_key=stored.mapping_rule_key)
        return Accepted(stored.mapping_rule_key, MappingRuleIntent.UPDATED, updated)


class MappingRuleDeleteProcessor(_MappingRuleProcessor):
    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=False)

    def _decide(self, rule: MappingRuleRecordValue, distributed: bool) -> Decision:
        stored = self._identity.mapping_rule(rule.mapping_rule_id)
        if stored is None:
            return Rejected(
                RejectionType.NOT_FOUND,
                f"Expected to delete mapping rule with id '{rule.mapping_rule_id}', but a mapping rule "
                "with this id does not exist",
            )
        cascade = deletion_cascade(
            self._identity,
            EntityType.MAPPING_RULE,
            stored.mapping_rule_id,
            owner_type=AuthorizationOwnerType.MAPPING_RULE,
        )
        return Accepted(stored.mapping_rule_key, MappingRuleIntent.DELETED, stored, cascade)
