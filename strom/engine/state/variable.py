"""Variables: JSON values by (scope, name), and the scope tree that makes lookups walk upward.

Values are kept as the JSON text Zeebe puts on VARIABLE records, so the bytes of an event go to
state unchanged; they are decoded only when an expression or a job needs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, pack_long, prefix, unpack, unpack_long
from strom.engine.state import column_families as cf
from strom.engine.state.state_records import Variable

_json_decode = msgspec.json.decode
_KEY_BYTES = 8
_LOCALS_CACHE_LIMIT = 10_000


def _name_of(key: bytes) -> str:
    """The name part of a (scope, name) key: read in place unless it needed escaping."""
    raw = key[_KEY_BYTES:-2]
    if b"\x00" in raw:
        return str(unpack(key, (int, str))[1])
    return raw.decode()


class VariableState(Protocol):
    def has_variables(self, scope_key: int) -> bool: ...
    def get(self, scope_key: int, name: str) -> Variable | None: ...
    def get_local(self, scope_key: int, name: str) -> Variable | None: ...
    def find(self, scope_key: int, name: str) -> Variable | None: ...
    def parent_scope(self, scope_key: int) -> int: ...
    def local_variables(self, scope_key: int) -> Iterator[Variable]: ...
    def visible_json(self, scope_key: int, names: Iterable[str] | None = None) -> dict[str, bytes]: ...
    def visible_values(self, scope_key: int, names: Iterable[str] | None = None) -> dict[str, Any]: ...


class MutableVariableState(VariableState, Protocol):
    def set(self, key: int, scope_key: int, name: str, json: bytes) -> None: ...
    def create_scope(self, scope_key: int, parent_scope_key: int) -> None: ...
    def remove_scope(self, scope_key: int) -> None: ...


class DbVariableState:
    """Variables by (scope key, name); parent scope by scope key."""

    def __init__(self, db: Database) -> None:
        self._variables = db.column_family(cf.VARIABLES).keyed_by_entity()
        self._scopes = db.column_family(cf.VARIABLE_SCOPES).keyed_by_entity()
        # A marker per scope that ever held a variable: most element instances never do, and a
        # get is far cheaper than a prefix scan when removing or reading an empty scope.
        self._filled = db.column_family(cf.SCOPES_WITH_VARIABLES).keyed_by_entity()
        # The local variables of recently read scopes (name -> stored bytes), kept current by the
        # appliers and dropped on any rollback: a job pushed for each task of an instance reads
        # the same payload, and a prefix scan per job costs far more than a dict.
        self._locals_cache: dict[int, dict[str, bytes]] = {}
        db.add_rollback_listener(self._locals_cache.clear)

    def _locals(self, scope_key: int) -> dict[str, bytes]:
        cache = self._locals_cache
        cached = cache.get(scope_key)
        if cached is None:
            cached = {_name_of(key): raw for key, raw in self._variables.iterate(prefix(scope_key))}
            if len(cache) >= _LOCALS_CACHE_LIMIT:
                cache.clear()
            cache[scope_key] = cached
        return cached

    def get_local(self, scope_key: int, name: str) -> Variable | None:
        cached = self._locals_cache.get(scope_key)
        raw = cached.get(name) if cached is not None else self._variables.get(pack(scope_key, name))
        if raw is None:
            return None
        return Variable(int.from_bytes(raw[:_KEY_BYTES], "big"), scope_key, name, raw[_KEY_BYTES:])

    get = get_local

    def parent_scope(self, scope_key: int) -> int:
        raw = self._scopes.get(pack_long(scope_key))
        return -1 if raw is None else unpack_long(raw)

    def find(self, scope_key: int, name: str) -> Variable | None:
        """The variable ``name`` visible from ``scope_key``: the nearest scope upward that has it."""
        scope = scope_key
        while scope > 0:
            variable = self.get_local(scope, name)
            if variable is not None:
                return variable
            scope = self.parent_scope(scope)
        return None

    def has_variables(self, scope_key: int) -> bool:
        """Whether any variable was ever set in ``scope_key`` (while it exists)."""
        return self._filled.get(pack_long(scope_key)) is not None

    def local_variables(self, scope_key: int) -> Iterator[Variable]:
        if not self.has_variables(scope_key):
            return
        for key, raw in self._variables.iterate(prefix(scope_key)):
            name = _name_of(key)
            yield Variable(int.from_bytes(raw[:_KEY_BYTES], "big"), scope_key, name, raw[_KEY_BYTES:])

    def visible_json(self, scope_key: int, names: Iterable[str] | None = None) -> dict[str, bytes]:
        """Every variable visible from ``scope_key`` (inner scopes shadow outer), as JSON text.

        With ``names``, only those (missing names are simply absent).
        """
        result: dict[str, bytes] = {}
        scope = scope_key
        if names is not None:
            wanted = set(names)
            while scope > 0 and wanted:
                for name in list(wanted):
                    variable = self.get_local(scope, name)
                    if variable is not None:
                        result[name] = variable.json
                        wanted.discard(name)
                scope = self.parent_scope(scope)
            return result
        while scope > 0:
            if self.has_variables(scope):
                for name, raw in self._locals(scope).items():
                    if name not in result:
                        result[name] = raw[_KEY_BYTES:]
            scope = self.parent_scope(scope)
        return result

    def visible_values(self, scope_key: int, names: Iterable[str] | None = None) -> dict[str, Any]:
        return {name: _json_decode(raw) for name, raw in self.visible_json(scope_key, names).items()}

    # -- mutations (appliers only) ---------------------------------------------------------------

    def set(self, key: int, scope_key: int, name: str, json: bytes) -> None:
        raw = key.to_bytes(_KEY_BYTES, "big") + json
        self._variables.put(pack(scope_key, name), raw)
        self._filled.put(pack_long(scope_key), b"")
        cached = self._locals_cache.get(scope_key)
        if cached is not None:
            cached[name] = raw

    def create_scope(self, scope_key: int, parent_scope_key: int) -> None:
        self._scopes.put(pack_long(scope_key), pack_long(parent_scope_key))

    def remove_scope(self, scope_key: int) -> None:
        self._locals_cache.pop(scope_key, None)
        packed = pack_long(scope_key)
        if self._filled.get(packed) is not None:
            for key, _ in list(self._variables.iterate(prefix(scope_key))):
                self._variables.delete(key)
            self._filled.delete(packed)
        self._scopes.delete(packed)
