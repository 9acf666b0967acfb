"""Which live objects a pull takes.

- No selection: every object of every kind (or of ``--kinds``); kinds pulled only when referenced
  (``KindDef.pull_when_referenced``: users, engines) come with what refers to them.
- ``--workspace`` / ``--queue`` (ids or names): those queues (and the queues of those workspaces) with what is
  attached to them (hooks, inbox, email templates, rules), plus, for everything taken, what it refers to
  (workspace, schema, connector, a hook's queues and ``run_after`` chain, a rule's queues...).
- ``--kinds``: the objects of those kinds, plus what they refer to.

References are followed forwards to a fixpoint, so the stack pull writes never refers to an object it lacks.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass

from rossum_iac.engine.live import LiveObject, LiveState
from rossum_iac.engine.urls import url_tail
from rossum_iac.errors import UsageError
from rossum_iac.kinds import KIND_NAMES, KINDS
from rossum_iac.suggest import suggest


@dataclass(frozen=True)
class Selection:
    workspaces: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    @property
    def is_everything(self) -> bool:
        return not (self.workspaces or self.queues or self.kinds)


def parse_kinds(text: str | None) -> tuple[str, ...]:
    """``queue,Hook, email_template`` -> ``("Queue", "Hook", "EmailTemplate")``; unknown names are a usage error."""
    if not text:
        return ()
    aliases = {name.lower(): name for name in KIND_NAMES}
    aliases.update({name.lower().replace("template", "_template"): name for name in KIND_NAMES})
    out: list[str] = []
    for raw in text.split(","):
        name = raw.strip()
        if not name:
            continue
        kind = aliases.get(name.lower().replace("-", "_")) or aliases.get(name.lower())
        if kind is None:
            raise UsageError(
                f"--kinds: unknown kind {name!r}{suggest(name, KIND_NAMES)}; kinds are {', '.join(KIND_NAMES)}"
            )
        if kind not in out:
            out.append(kind)
    return tuple(out)


def _find(live: LiveState, kind: str, wanted: str, option: str) -> list[LiveObject]:
    objects = live.of_kind(kind)
    if wanted.isdigit():
        found = [o for o in objects if o.id == int(wanted)]
        if found:
            return found
    found = [o for o in objects if o.name == wanted and not o.is_deleting]
    if len(found) > 1:
        ids = ", ".join(str(o.id) for o in found)
        raise UsageError(f"{option} {wanted!r}: {len(found)} {kind.lower()}s have that name (ids {ids}); give the id")
    if not found:
        names = sorted({o.name for o in objects if o.name})
        listed = f"; {kind.lower()}s: {', '.join(names[:10])}{', ...' if len(names) > 10 else ''}" if names else ""
        raise UsageError(f"{option} {wanted!r}: no {kind.lower()} with that id or name{suggest(wanted, names)}{listed}")
    return found


def references(obj: LiveObject) -> Iterator[str]:
    """URL tails an object refers to through its reference fields."""
    for name in KINDS[obj.kind].refs:
        value = obj.data.get(name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item:
                yield url_tail(item)


def _attached(live: LiveState, queue: LiveObject) -> Iterator[LiveObject]:
    """Objects that refer to a queue: its hooks, inbox, triggers, email templates and rules."""
    attached = [k.name for k in KINDS.values() if any(spec.ref == "Queue" for spec in k.refs.values())]
    for kind in attached:
        for obj in live.of_kind(kind):
            if queue.tail in set(references(obj)):
                yield obj


def select(live: LiveState, selection: Selection, owned: Container[str] = ()) -> list[LiveObject]:
    """The objects a pull takes, in kind order then id order (queues scheduled for deletion never). ``owned``: URL
    tails of objects the pulling stack manages, taken by a pull of everything even when nothing refers to them."""
    if selection.is_everything:
        seeds: list[LiveObject] = [
            o for o in live if not o.is_deleting and (not KINDS[o.kind].pull_when_referenced or o.tail in owned)
        ]
    else:
        seeds = [o for kind in selection.kinds for o in live.of_kind(kind) if not o.is_deleting]
        queues: list[LiveObject] = []
        for wanted in selection.workspaces:
            for workspace in _find(live, "Workspace", wanted, "--workspace"):
                seeds.append(workspace)
                queues += [
                    q for q in live.of_kind("Queue") if url_tail(str(q.data.get("workspace") or "")) == workspace.tail
                ]
        for wanted in selection.queues:
            queues += _find(live, "Queue", wanted, "--queue")
        for queue in queues:
            if queue.is_deleting:
                continue
            seeds.append(queue)
            seeds.extend(_attached(live, queue))
    return _closure(live, seeds)


def _closure(live: LiveState, seeds: Iterable[LiveObject]) -> list[LiveObject]:
    taken: dict[str, LiveObject] = {}
    pending = list(seeds)
    while pending:
        obj = pending.pop()
        if obj.tail in taken or obj.is_deleting:
            continue
        taken[obj.tail] = obj
        for tail in references(obj):
            target = live.get(tail)
            if target is not None and target.tail not in taken:
                pending.append(target)
    order = {kind: i for i, kind in enumerate(KIND_NAMES)}
    return sorted(taken.values(), key=lambda o: (order[o.kind], o.id))
