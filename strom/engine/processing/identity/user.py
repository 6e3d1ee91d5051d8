"""USER CREATE, UPDATE and DELETE (Zeebe's ``UserCreateProcessor``, ``UserUpdateProcessor``,
``UserDeleteProcessor``).

Users are found by username. The command carries the password already hashed (``passwords``:
the gateways, the CLI and the testing kit hash before they write the command, as Zeebe's gateway
does); a clear-text password is refused. Updating a user changes the name, email and password
given; an empty one keeps what was there. Deleting a user removes it from its groups, roles and
tenants and deletes its authorizations first.
"""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from strom.engine.processing.authorization.check import ADMIN_ROLE
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
from strom.engine.processing.identity.passwords import is_password_hash
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.identity import Relation
from strom.protocol.enums import RejectionType
from strom.protocol.intents import RoleIntent, UserIntent
from strom.protocol.record import Record
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    EntityType,
    RoleRecordValue,
    UserRecordValue,
)
from strom.stream.key_generator import KeyGenerator


def _not_hashed(verb: str, password: str) -> Rejected | None:
    if not password or is_password_hash(password):
        return None
    return Rejected(
        RejectionType.INVALID_ARGUMENT,
        f"Expected to {verb} user with a hashed password (argon2, PHC string format), but the "
        "password is not hashed: hash it before writing the command "
        "(strom.engine.processing.identity.passwords.hash_password)",
    )


def _invalid_email(verb: str, email: str) -> Rejected | None:
    if not email or "@" in email.strip("@"):
        return None
    return Rejected(
        RejectionType.INVALID_ARGUMENT,
        f"Expected to {verb} user with email '{email}', but the email is not a valid email address",
    )


class UserCreateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._identity = state.identity
        self._commands = IdentityCommands(state, behaviors, keys)

    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=True)

    def _decide(self, user: UserRecordValue, distributed: bool) -> Decision:
        if not distributed:
            invalid = (
                invalid_id("create", "user", "username", user.username)
                or missing("create", "user", "password", user.password)
                or _not_hashed("create", user.password)
                or _invalid_email("create", user.email)
            )
            if invalid is not None:
                return invalid
        if self._identity.user(user.username) is not None:
            return Rejected(
                RejectionType.ALREADY_EXISTS,
                f"Expected to create user with username '{user.username}', but a user with this "
                "username already exists",
            )
        if distributed:
            return Accepted(user.user_key, UserIntent.CREATED, user)
        key = self._commands.next_key()
        created = replace(user, user_key=key)
        return Accepted(key, UserIntent.CREATED, created)


class UserUpdateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._identity = state.identity
        self._commands = IdentityCommands(state, behaviors, keys)

    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=False)

    def _decide(self, change: UserRecordValue, distributed: bool) -> Decision:
        stored = self._identity.user(change.username)
        if stored is None:
            return Rejected(
                RejectionType.NOT_FOUND,
                f"Expected to update user with username {change.username}, but a user with this "
                "username does not exist",
            )
        if distributed:
            return Accepted(stored.user_key, UserIntent.UPDATED, change)
        invalid = _not_hashed("update", change.password) or _invalid_email("update", change.email)
        if invalid is not None:
            return invalid
        updated = replace(
            stored,
            name=change.name or stored.name,
            email=change.email or stored.email,
            password=change.password or stored.password,
        )
        return Accepted(stored.user_key, UserIntent.UPDATED, updated)


class UserDeleteProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._identity = state.identity
        self._commands = IdentityCommands(state, behaviors, keys)

    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=False)

    def _decide(self, user: UserRecordValue, distributed: bool) -> Decision:
        stored = self._identity.user(user.username)
        if stored is None:
            return Rejected(
                RejectionType.NOT_FOUND,
                f"Expected to delete user with username {user.username}, but a user with this "
                "username does not exist",
            )
        cascade = deletion_cascade(
            self._identity, EntityType.USER, stored.username, owner_type=AuthorizationOwnerType.USER
        )
        return Accepted(stored.user_key, UserIntent.DELETED, stored, cascade)


class UserCreateInitialAdminProcessor:
    """USER CREATE_INITIAL_ADMIN (Zeebe's ``UserCreateInitialAdminProcessor``): the first admin,
    as ``/v2/setup/user`` asks for it — refused (FORBIDDEN, Zeebe's texts) once the user exists or
    the ``admin`` role has a user. The user and its role membership are made by follow-up USER
    CREATE, ROLE CREATE (when Strom's built-in role has no entity yet) and ROLE ADD_ENTITY
    commands, processed in the same step before any later command: a second setup racing the first
    finds the admin and is refused, whichever gateway sent it."""

    def __init__(self, state: ProcessingState, keys: KeyGenerator) -> None:
        self._identity = state.identity
        self._keys = keys

    def process(self, command: Record[Any], writers: Writers) -> None:
        user: UserRecordValue = command.value
        invalid = (
            invalid_id("create", "user", "username", user.username)
            or missing("create", "user", "password", user.password)
            or _not_hashed("create", user.password)
            or _invalid_email("create", user.email)
        )
        if invalid is not None:
            writers.reject(command, invalid.type, invalid.reason)
            return
        if self._identity.user(user.username) is not None:
            writers.reject(
                command,
                RejectionType.FORBIDDEN,
                f"Expected to create user with username '{user.username}', but a user with this "
                "username already exists",
            )
            return
        if any(
            member.entity_type == EntityType.USER
            for member in self._identity.members(Relation.ROLE, ADMIN_ROLE)
        ):
            writers.reject(
                command,
                RejectionType.FORBIDDEN,
                f"Expected to create admin user, but role with id '{ADMIN_ROLE}' already has one or "
                "more user assigned to it",
            )
            return
        key = self._keys.next_key()
        writers.append_command(key, UserIntent.CREATE, user)
        if self._identity.role(ADMIN_ROLE) is None:
            writers.append_command(-1, RoleIntent.CREATE, RoleRecordValue(role_id=ADMIN_ROLE, name="Admin"))
        member = RoleRecordValue(role_id=ADMIN_ROLE, entity_id=user.username, entity_type=EntityType.USER)
        writers.append_command(-1, RoleIntent.ADD_ENTITY, member)
        writers.respond(writers.append_event(key, UserIntent.INITIAL_ADMIN_CREATED, user))
