"""Who a change reaches: the queues that use a schema the plan changes (as they are live).

A reviewer of a schema change sees the queues it affects: the keys of the queues this stack manages, and how many
others (managed by no stack, or by another one). Queues whose deletion is scheduled are not counted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from rossum_iac.engine.identity import Ownership
from rossum_iac.engine.live import LiveState
from rossum_iac.engine.plan import Action, ActionType, Usage
from rossum_iac.engine.urls import url_tail

USERS = {"Schema": ("Queue", "schema")}
"""Kind changed -> (kind that uses it, the field of that kind that refers to it)."""


def with_usage(actions: Mapping[str, Action], ownership: Ownership, live: LiveState) -> dict[str, Action]:
    """``actions`` with ``used_by`` set on every update or replacement of a kind in ``USERS``."""
    owned_by_tail = {o.live.tail: a for a, o in ownership.owned.items()}
    out = dict(actions)
    for address, action in actions.items():
        user = USERS.get(action.kind)
        owned = ownership.owned.get(address)
        if user is None or owned is None or action.action not in (ActionType.UPDATE, ActionType.REPLACE):
            continue
        if not action.changes:
            continue  # only an ownership record to write: nothing reaches the queues
        kind, field = user
        managed: list[str] = []
        others = 0
        for obj in live.of_kind(kind):
            value = obj.data.get(field)
            if obj.is_deleting or not isinstance(value, str) or url_tail(value) != owned.live.tail:
                continue
            user_address = owned_by_tail.get(obj.tail)
            if user_address is None:
                others += 1
            else:
                managed.append(user_address)
        out[address] = dataclasses.replace(action, used_by=Usage(kind, tuple(sorted(managed)), others))
    return out
