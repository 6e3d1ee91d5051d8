"""Context builtins (DMN 1.5 10.3.4.8) and Camunda's variants taking key paths."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._registry import Invalid, builtin, ctx_arg, list_arg, text


@builtin("get value", "m, key", nulls=False)
def get_value(m: Any, key: Any) -> Any:
    if m is None or key is None or not isinstance(m, Mapping):
        return None
    if isinstance(key, (list, tuple)):
        cur: Any = m
        for k in key:
            if not isinstance(cur, Mapping):
                return None
            cur = cur.get(text(k, "keys"))
        return cur
    return m.get(text(key, "key"))


builtin("get value", "context, keys", nulls=False)(get_value)


@builtin("get entries", "m")
def get_entries(m: Any) -> Any:
    return [{"key": k, "value": v} for k, v in ctx_arg(m, "m").items()]


def _put_path(c: Mapping[str, Any], keys: list[str], value: Any) -> dict[str, Any]:
    out = dict(c)
    head = keys[0]
    if len(keys) == 1:
        out[head] = value
        return out
    inner = out.get(head, {})
    if not isinstance(inner, Mapping):
        raise Invalid(f"the value at key '{head}' is not a context")
    out[head] = _put_path(inner, keys[1:], value)
    return out


def _put_key(c: Any, key: Any, value: Any) -> Any:
    if c is None or key is None:
        return None
    return _put_path(ctx_arg(c, "context"), [text(key, "key")], value)


def _put_keys(c: Any, keys: Any, value: Any) -> Any:
    if c is None or keys is None:
        return None
    if not isinstance(keys, (list, tuple)):
        raise Invalid("expected a list of keys for 'keys'")
    names = [text(k, "keys") for k in keys]
    if not names:
        raise Invalid("keys must not be empty")
    return _put_path(ctx_arg(c, "context"), names, value)


def context_put(c: Any, key: Any, value: Any) -> Any:
    """Positional calls take a key or a list of keys; named ones must say which."""
    if isinstance(key, (list, tuple)):
        return _put_keys(c, key, value)
    return _put_key(c, key, value)


# the first overload serves positional calls only: no caller names a parameter "key or keys"
builtin("context put", "context, key or keys, value", nulls=False)(context_put)
builtin("context put", "context, key, value", nulls=False)(_put_key)
builtin("context put", "context, keys, value", nulls=False)(_put_keys)
builtin("put", "context, key, value", nulls=False)(context_put)


@builtin("context merge", "contexts")
def context_merge(contexts: Any) -> Any:
    out: dict[str, Any] = {}
    for c in list_arg(contexts, "contexts"):
        out.update(ctx_arg(c, "contexts"))
    return out


@builtin("put all", "contexts", varargs=True)
def put_all(*contexts: Any) -> Any:
    """Camunda's older name for context merge; takes a list or the contexts themselves."""
    if len(contexts) == 1 and isinstance(contexts[0], (list, tuple)):
        return context_merge(list(contexts[0]))
    return context_merge(list(contexts))


@builtin("context", "entries")
def context(entries: Any) -> Any:
    out: dict[str, Any] = {}
    for e in list_arg(entries, "entries"):
        if not isinstance(e, Mapping) or "key" not in e or "value" not in e:
            raise Invalid("each entry must be a context with 'key' and 'value'")
        k = text(e["key"], "key")
        if k in out:
            raise Invalid(f"duplicate key '{k}'")
        out[k] = e["value"]
    return out
