"""Differences inside nested values (lists and mappings), path by path, for showing them.

A changed list or mapping (queue ``settings.columns``, rule ``actions``, a schema datapoint's ``options``, hook
``settings``) is reported as the leaves that differ (``options[value="eur"].label: "Euro" -> "EUR"``), never as the
whole value before and after. The rules are those of ``compare.matches`` (declared keys only, numbers by value, URLs
by tail, ``null`` equals absent), so the items found are never empty when ``matches`` says the values differ.

List items are matched by a natural key when every item on both sides is a mapping with a distinct scalar value
for it (``id`` of a node or a rule action, ``schema_id`` of a queue's column, ``value`` of an enum option, ``name``),
else by position. Short lists of scalars are shown whole; longer ones as the items added and removed.

Desired values may hold secrets (``${env.NAME}``): comparisons use their values, what is shown never does. A leaf
that holds a secret is ``sensitive`` (no values); any other shown text that contains a secret of the same field (a
live value at a shifted position) is masked as well.

deepdiff is not used: its equality (types, ``None`` vs absent, URLs by host) differs from the engine's comparison
rules, so its items could disagree with what the plan says is a change.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from typing import Any

from rossum_iac.engine.compare import matches, project
from rossum_iac.engine.plan import NestedChange, unknown_as_text
from rossum_iac.engine.resolve import SENSITIVE_TEXT, UNKNOWN, Resolver, contains_unknown, desired_view, is_sensitive
from rossum_iac.engine.urls import is_api_url, url_tail
from rossum_iac.manifest.model import Ref, Secret, Template

NATURAL_KEYS = ("id", "schema_id", "value", "name")
"""Keys that name a list item, in order of preference."""
LONG_TEXT = 100
"""A string longer than this (or with a line break) is shown as a unified diff."""
SHORT_LIST = 60
"""A list of scalars whose JSON is at most this long on both sides is shown whole."""
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def is_text(*values: Any) -> bool:
    """Strings (or ``None``) of which one has a line break or is long: shown as a unified diff."""
    strings = [v for v in values if isinstance(v, str)]
    return (
        bool(strings)
        and all(isinstance(v, str) or v is None for v in values)
        and any("\n" in v or len(v) > LONG_TEXT for v in strings)
    )


def key_segment(key: Any) -> str:
    """A mapping key as a path segment: ``.name``, or ``["odd.key"]`` when it is not a plain name."""
    text = str(key)
    return f".{text}" if _PLAIN_KEY.match(text) else f"[{json.dumps(text, ensure_ascii=False)}]"


def is_whole(item: NestedChange, path: str) -> bool:
    """Whether an item is a plain change of the whole value at ``path`` (then shown as an ordinary change)."""
    return item.path == path and item.op == "change" and not item.sensitive and not item.after_unknown


def secret_values(raw: Any) -> list[str]:
    """The secret values used inside one desired value (depth first, as ``iter_markers`` finds them)."""
    out: list[str] = []
    _collect_secrets(raw, out)
    return [v for v in out if v]


def _collect_secrets(value: Any, out: list[str]) -> None:
    """``iter_markers`` without a generator per level: a plan walks every desired field of every object."""
    cls = value.__class__
    if cls is str or cls is int or cls is float or cls is bool or value is None:
        return
    if isinstance(value, Secret):
        out.append(value.value)
    elif isinstance(value, Template):
        out.extend(p.value for p in value.parts if isinstance(p, Secret))
    elif isinstance(value, Ref):
        return
    elif isinstance(value, dict):
        for item in value.values():
            _collect_secrets(item, out)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect_secrets(item, out)


class NestedDiffer:
    """Finds the nested differences of one field (its desired value as written, with secrets and references)."""

    def __init__(self, resolver: Resolver | None, secrets: list[str] | None = None, *, secrets_in: Any = None) -> None:
        """``secrets``: the secret values to mask in what is shown; or ``secrets_in``: the desired value to find
        them in, when first needed (most compared values differ in nothing and never show anything)."""
        self.resolver = resolver or Resolver()
        self._secrets = None if secrets is None and secrets_in is not None else [s for s in secrets or () if s]
        self._secrets_in = secrets_in

    @property
    def secrets(self) -> list[str]:
        if self._secrets is None:
            self._secrets = secret_values(self._secrets_in)
        return self._secrets

    def diff(self, path: str, raw: Any, live: Any) -> list[NestedChange]:
        """The items that differ between a desired value (``raw``, as written) and the live one."""
        items = self._value(path, raw, live)
        if not items and not matches(self.revealed(raw), live):
            items = [self._change(path, raw, live)]  # never expected: the walk follows ``matches``
        return items

    # --- views -------------------------------------------------------------------------------------------------

    def revealed(self, raw: Any) -> Any:
        """The desired value for comparing (secrets and references resolved)."""
        return desired_view(raw, self.resolver, reveal=True)

    def shown(self, raw: Any) -> tuple[Any, bool]:
        """The value as shown (secrets masked, unknowns as text) and whether it holds an unknown."""
        view = desired_view(raw, self.resolver, reveal=False)
        unknown = contains_unknown(view)
        return self._scrub(unknown_as_text(view) if unknown else view), unknown

    def _scrub(self, value: Any) -> Any:
        return scrub(value, self.secrets)

    # --- walk --------------------------------------------------------------------------------------------------

    def _value(self, path: str, raw: Any, live: Any) -> list[NestedChange]:
        if isinstance(raw, dict):
            if not isinstance(live, Mapping):
                return [self._change(path, raw, live)]
            out: list[NestedChange] = []
            for key, item in raw.items():
                out.extend(self._value(path + key_segment(key), item, live.get(key)))
            return out
        if isinstance(raw, list | tuple):
            if not isinstance(live, list):
                return [self._change(path, raw, live)]
            return self._list(path, list(raw), live)
        if matches(self.revealed(raw), live):
            return []
        return [self._change(path, raw, live)]

    def _list(self, path: str, raw: list[Any], live: list[Any]) -> list[NestedChange]:
        revealed = [self.revealed(r) for r in raw]
        if matches(revealed, live):
            return []
        key = _natural_key(revealed, live)
        if key is not None:
            return self._keyed(path, raw, revealed, live, key)
        if all(_is_scalar(v) for v in [*revealed, *live]):
            return self._scalars(path, raw, revealed, live)
        out: list[NestedChange] = []
        for index in range(max(len(raw), len(live))):
            where = f"{path}[{index}]"
            if index >= len(live):
                out.append(self._add(where, raw[index]))
            elif index >= len(raw):
                out.append(self._remove(where, live[index]))
            else:
                out.extend(self._value(where, raw[index], live[index]))
        return out

    def _keyed(self, path: str, raw: list[Any], revealed: list[Any], live: list[Any], key: str) -> list[NestedChange]:
        wanted = [_token(item[key]) for item in revealed]
        have = {_token(item[key]): item for item in live}
        out: list[NestedChange] = []
        for item, token, value in zip(raw, wanted, revealed, strict=True):
            where = f"{path}[{key}={self._label(value[key])}]"
            if token in have:
                out.extend(self._value(where, item, have[token]))
            else:
                out.append(self._add(where, item))
        wanted_set = set(wanted)
        for token, item in have.items():
            if token not in wanted_set:
                out.append(self._remove(f"{path}[{key}={self._label(item[key])}]", item))
        before = [self._scrub(item[key]) for item in live if _token(item[key]) in wanted_set]
        after = [self._scrub(value[key]) for value in revealed if _token(value[key]) in have]
        if [_token(v) for v in before] != [_token(v) for v in after]:
            out.append(NestedChange(path, "reorder", before=before, after=after))
        return out

    def _label(self, value: Any) -> str:
        return json.dumps(self._scrub(value), ensure_ascii=False)

    def _scalars(self, path: str, raw: list[Any], revealed: list[Any], live: list[Any]) -> list[NestedChange]:
        shown, _ = self.shown(raw)
        if len(json.dumps(shown, ensure_ascii=False)) <= SHORT_LIST and len(_dumps(live)) <= SHORT_LIST:
            return [self._change(path, raw, live)]
        matcher = difflib.SequenceMatcher(None, [_token(v) for v in live], [_token(v) for v in revealed], False)
        out: list[NestedChange] = []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            if op == "replace" and i2 - i1 == j2 - j1:
                pairs = zip(range(i1, i2), range(j1, j2), strict=True)
                out.extend(self._change(f"{path}[{j}]", raw[j], live[i]) for i, j in pairs)
                continue
            out.extend(self._remove(f"{path}[{i}]", live[i]) for i in range(i1, i2))
            out.extend(self._add(f"{path}[{j}]", raw[j]) for j in range(j1, j2))
        return out

    # --- items -------------------------------------------------------------------------------------------------

    def _change(self, path: str, raw: Any, live: Any) -> NestedChange:
        if is_sensitive(raw):
            return NestedChange(path, "change", sensitive=True)
        after, unknown = self.shown(raw)
        before = self._scrub(project(live, after))
        form = "text" if not unknown and is_text(before, after) else "value"
        return NestedChange(path, "change", before=before, after=after, format=form, after_unknown=unknown)

    def _add(self, path: str, raw: Any) -> NestedChange:
        if is_sensitive(raw) and not isinstance(raw, dict | list | tuple):
            return NestedChange(path, "add", sensitive=True)
        after, unknown = self.shown(raw)  # secrets inside a mapping or list are shown as (sensitive)
        return NestedChange(path, "add", after=after, after_unknown=unknown)

    def _remove(self, path: str, live: Any) -> NestedChange:
        return NestedChange(path, "remove", before=self._scrub(live))


def scrub(value: Any, secrets: list[str]) -> Any:
    """``value`` with every text that is, or holds, one of ``secrets`` masked (``(sensitive)``). Secrets shorter
    than 8 characters are masked only as whole values (see ``planfile.EMBEDDED_SECRET_MIN_LENGTH``)."""
    if not secrets:
        return value
    if isinstance(value, str):
        leaks = any(value == s or (len(s) >= 8 and s in value) for s in secrets)
        return SENSITIVE_TEXT if leaks else value
    if isinstance(value, Mapping):
        return {scrub(str(k), secrets): scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, secrets) for v in value]
    return value


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list)


def _token(value: Any) -> Any:
    """A hashable form of a scalar that is equal exactly when ``compare.scalar_equal`` says so."""
    if value is UNKNOWN:
        return ("unknown", id(value), object())
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if is_api_url(value):
        return ("url", url_tail(value))
    if isinstance(value, str):
        return ("text", value)
    if value is None:
        return ("null",)
    return ("json", _dumps(value))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _natural_key(desired: list[Any], live: list[Any]) -> str | None:
    """The first of ``NATURAL_KEYS`` that every item on both sides has, with distinct scalar values per side."""
    items = [*desired, *live]
    if not desired or not all(isinstance(i, Mapping) for i in items):
        return None
    for key in NATURAL_KEYS:
        if not all(key in i and _is_scalar(i[key]) and i[key] is not None and i[key] is not UNKNOWN for i in items):
            continue
        if len({_token(i[key]) for i in desired}) == len(desired) and len({_token(i[key]) for i in live}) == len(live):
            return key
    return None
