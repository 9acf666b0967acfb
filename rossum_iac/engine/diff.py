"""Field-level differences between one manifest object and its live counterpart.

Only declared fields are compared (see ``compare`` for the comparison rules). Special cases:

- write-only paths (``KindDef.write_only``): the live value is never read; the value's salted hash in the
  ownership marker is compared instead. No hash (an adopted object) means "cannot verify: will be written".
- schema ``content``: node-level comparison by node ``id`` (``schema_diff``).
- multi-line or long strings (hook code, rule conditions, template bodies) are flagged ``text`` for a unified diff.
- mappings are compared key by key (one change per declared leaf, ``settings.x``); a changed list (rule
  ``actions``, ``settings.columns``) is one ``nested`` change whose items say what changed inside it (``nested``).
- ``ignore_changes`` paths are skipped on update (they are still written on create), and so are create-only
  fields (``Field.create_only``: a user's ``email``, which the API ignores after the create).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rossum_iac.engine.compare import as_set, duration_seconds, matches, project, scalar_equal
from rossum_iac.engine.identity import Owned, secret_matches
from rossum_iac.engine.nested import NestedDiffer, is_text, is_whole, scrub, secret_values
from rossum_iac.engine.plan import FieldChange, SchemaChange
from rossum_iac.engine.resolve import UNKNOWN, Resolver, contains_unknown, desired_view, is_sensitive
from rossum_iac.engine.schema_diff import diff_schema, flatten
from rossum_iac.engine.urls import url_tail
from rossum_iac.kinds import KINDS, KindDef
from rossum_iac.manifest.model import DesiredObject, Secret, Template


def _is_text(*values: Any) -> bool:
    return is_text(*values)


def _is_tree(spec: KindDef, path: str) -> bool:
    """Schema content: compared node by node."""
    content = spec.content_fields.get(path)
    return content is not None and content.structured


def _ignored(path: str, ignore: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + ".") for p in ignore)


def _display_live_ref(spec: KindDef, name: str, value: Any, resolver: Resolver) -> Any:
    ref = spec.refs.get(name)
    if ref is None:
        return value
    if ref.many and isinstance(value, list):
        return [resolver.live_ref(v) for v in value]
    return resolver.live_ref(value)


def create_changes(desired: DesiredObject, resolver: Resolver) -> list[FieldChange]:
    """The declared fields of an object to be created, as ``null -> value`` changes (dicts shown leaf by leaf)."""
    spec = KINDS[desired.kind]
    out: list[FieldChange] = []
    for name, value in desired.fields.items():
        _create_leaf(spec, desired, name, value, resolver, out)
    if desired.protect:
        out.append(FieldChange("protect", None, True, format="option"))
    secrets = secret_values(desired.fields)
    return [_masked(c, secrets) for c in out]


def _create_leaf(
    spec: KindDef, desired: DesiredObject, path: str, value: Any, resolver: Resolver, out: list[FieldChange]
) -> None:
    if path in spec.write_only or isinstance(value, Secret) or (isinstance(value, Template) and value.sensitive):
        out.append(FieldChange.make(path, None, None, sensitive=True, format="secret"))
        return
    if isinstance(value, dict) and value and path not in spec.refs:
        for key, item in value.items():
            _create_leaf(spec, desired, f"{path}.{key}", item, resolver, out)
        return
    shown = desired_view(value, resolver, reveal=False)
    if _is_tree(spec, path):
        nodes, _ = flatten(shown)
        adds = tuple(SchemaChange("add", i, n.category, parent=n.parent) for i, n in nodes.items())
        out.append(FieldChange("content", format="schema", schema_changes=adds))
    elif path in spec.set_fields:
        out.append(FieldChange.make(path, None, as_set(shown), format="set"))
    elif _is_text(shown):
        out.append(FieldChange.make(path, None, shown, format="text"))
    else:
        out.append(FieldChange.make(path, None, shown))


def diff_object(desired: DesiredObject, owned: Owned, resolver: Resolver) -> list[FieldChange]:
    """Changes needed to make ``owned.live`` match ``desired`` (empty: nothing to do)."""
    spec = KINDS[desired.kind]
    live = owned.live.data
    out: list[FieldChange] = []
    for name, value in desired.fields.items():
        _compare(spec, desired, owned, name, value, live.get(name), resolver, out)
    if desired.protect != owned.protect:
        out.append(FieldChange("protect", owned.protect, desired.protect, format="option"))
    if not out:
        return out
    secrets = secret_values(desired.fields)
    return [_masked(c, secrets) for c in out if not _ignored(c.path, desired.ignore_changes)]


def _masked(change: FieldChange, secrets: list[str]) -> FieldChange:
    """A change with any shown text that holds one of the object's secrets masked: a live value may hold a secret
    where the manifest has none (a value pasted into the wrong field), and it must not be shown."""
    if not secrets:
        return change
    return dataclasses.replace(
        change,
        before=scrub(change.before, secrets),
        after=scrub(change.after, secrets),
        items=tuple(_masked_part(i, secrets) for i in change.items),
        schema_changes=tuple(
            dataclasses.replace(_masked_part(c, secrets), items=tuple(_masked_part(i, secrets) for i in c.items))
            for c in change.schema_changes
        ),
    )


def _masked_part(part: Any, secrets: list[str]) -> Any:
    return dataclasses.replace(part, before=scrub(part.before, secrets), after=scrub(part.after, secrets))


def _compare(
    spec: KindDef,
    desired: DesiredObject,
    owned: Owned,
    path: str,
    value: Any,
    live: Any,
    resolver: Resolver,
    out: list[FieldChange],
) -> None:
    if _ignored(path, desired.ignore_changes) or path in spec.create_only_fields:
        return  # create-only: the API ignores it after the create, so it is never compared
    if spec.hidden is not None and spec.hidden(owned.live.data, path):
        return  # the API does not show it (a private hook's url or code): nothing to compare
    replace = path in spec.replace_fields
    field_spec = spec.field_at(path)
    if field_spec is not None and field_spec.catalog is not None:
        if field_spec.many:
            _compare_catalog_set(field_spec.catalog, path, value, live, resolver, out)
        else:
            _compare_catalog(field_spec.catalog, path, value, live, resolver, out)
        return
    if path in spec.write_only:
        _compare_secret(owned, path, value, resolver, out)
        return
    if _is_tree(spec, path):
        changes = tuple(diff_schema(value, live, NestedDiffer(resolver, secrets_in=value)))
        if changes:
            out.append(FieldChange("content", format="schema", schema_changes=changes))
        return
    if isinstance(value, dict) and isinstance(live, dict) and path not in spec.refs:
        for key, item in value.items():
            _compare(spec, desired, owned, f"{path}.{key}", item, live.get(key), resolver, out)
        return
    # Only leaves, lists and references get a view: a mapping's parts get theirs in the recursion above (a view
    # of the whole, then of each part, went over a queue's settings once per level).
    sensitive = is_sensitive(value)
    shown = desired_view(value, resolver, reveal=sensitive)
    if path in spec.refs:
        live_view = _display_live_ref(spec, path, live, resolver)
        if path in spec.set_fields:
            before, after = as_set(live_view), as_set(shown)
            if contains_unknown(after) or before != after:
                out.append(FieldChange.make(path, before, after, format="set", forces_replacement=replace))
        elif not matches(shown, live_view):
            out.append(FieldChange.make(path, live_view, shown, forces_replacement=replace))
        return
    if path in spec.duration_fields:
        seconds = duration_seconds(shown)
        if seconds is not None and seconds == duration_seconds(live):
            return
    if path in spec.set_fields and isinstance(shown, list):
        before, after = as_set(live), as_set(shown)
        if not matches(after, before):
            out.append(FieldChange.make(path, before, after, format="set", forces_replacement=replace))
        return
    if matches(shown, live):
        return
    if isinstance(value, list | tuple) and isinstance(live, list):
        _compare_list(path, value, live, resolver, replace, out)
        return
    before = project(live, shown)
    if sensitive:
        out.append(FieldChange.make(path, None, None, sensitive=True, format="secret", forces_replacement=replace))
    elif _is_text(before, shown):
        out.append(FieldChange.make(path, before, shown, format="text", forces_replacement=replace))
    else:
        out.append(FieldChange.make(path, before, shown, forces_replacement=replace))


def _compare_list(
    path: str, value: Any, live: list[Any], resolver: Resolver, replace: bool, out: list[FieldChange]
) -> None:
    """A changed list, described by what changed inside it (a list holding a secret shows every other part)."""
    items = tuple(NestedDiffer(resolver, secret_values(value)).diff(path, value, live))
    if len(items) == 1 and is_whole(items[0], path):
        item = items[0]
        out.append(FieldChange.make(path, item.before, item.after, format=item.format, forces_replacement=replace))
    elif is_sensitive(value):
        out.append(FieldChange.make(path, None, None, sensitive=True, format="nested", items=items,
                                    forces_replacement=replace))
    else:
        shown = desired_view(value, resolver, reveal=False)
        out.append(FieldChange.make(path, project(live, shown), shown, format="nested", items=items,
                                    forces_replacement=replace))


def _compare_catalog(
    catalog: str, path: str, value: Any, live: Any, resolver: Resolver, out: list[FieldChange]
) -> None:
    """A catalogue entry named in the manifest (a hook template by name) against the live URL."""
    wanted = resolver.catalog_url(catalog, value)
    if value is None and live is None:
        return
    if wanted is not None and isinstance(live, str) and scalar_equal(wanted, live):
        return
    out.append(FieldChange.make(path, resolver.catalog_name(catalog, live), value))


def _compare_catalog_set(
    catalog: str, path: str, value: Any, live: Any, resolver: Resolver, out: list[FieldChange]
) -> None:
    """A list of catalogue entries named in the manifest (a user's roles) against the live URLs, as sets."""
    wanted = [resolver.catalog_url(catalog, v) for v in value or []] if isinstance(value, list) else [None]
    live_urls = [u for u in live or [] if isinstance(u, str)] if isinstance(live, list) else []
    if None not in wanted and {url_tail(u) for u in wanted if u} == {url_tail(u) for u in live_urls}:
        return
    before = as_set([resolver.catalog_name(catalog, u) for u in live_urls])
    out.append(FieldChange.make(path, before, as_set(value if isinstance(value, list) else [value]), format="set"))


def _compare_secret(owned: Owned, path: str, value: Any, resolver: Resolver, out: list[FieldChange]) -> None:
    revealed = desired_view(value, resolver, reveal=True)
    stored = owned.marker.secrets.get(path) if owned.marker is not None else None
    if contains_unknown(revealed) or revealed is UNKNOWN:
        out.append(FieldChange.make(path, None, None, sensitive=True, format="secret", note="known after apply"))
    elif stored is None and owned.adopt == "pull":
        return  # the manifest was pulled from this object: the value is the live one (its hash is recorded now)
    elif stored is None:
        note = "cannot be verified; will be written"
        out.append(FieldChange.make(path, None, None, sensitive=True, format="secret", note=note))
    elif not secret_matches(stored, revealed):
        out.append(FieldChange.make(path, None, None, sensitive=True, format="secret", note="value changed"))
