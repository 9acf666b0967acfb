"""Dependency ordering of plan actions (Kahn's algorithm with a stable, readable tie-break)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

from rossum_iac.engine.errors import PlanError

N = TypeVar("N", bound=Hashable)


def topo_sort(nodes: Iterable[N], deps: Mapping[N, Iterable[N]], key: Callable[[N], tuple]) -> list[N]:
    """``nodes`` ordered so that every node comes after its ``deps``; ties broken by ``key``.

    Raises ``PlanError`` naming the nodes of a cycle.
    """
    nodes = list(nodes)
    present = set(nodes)
    waiting: dict[N, set[N]] = {n: {d for d in deps.get(n, ()) if d in present and d != n} for n in nodes}
    dependents: dict[N, list[N]] = {n: [] for n in nodes}
    for node, before in waiting.items():
        for dep in before:
            dependents[dep].append(node)
    ready = [(key(n), i, n) for i, n in enumerate(nodes) if not waiting[n]]
    heapq.heapify(ready)
    order: list[N] = []
    index = {n: i for i, n in enumerate(nodes)}
    while ready:
        _, _, node = heapq.heappop(ready)
        order.append(node)
        for dependent in dependents[node]:
            waiting[dependent].discard(node)
            if not waiting[dependent]:
                heapq.heappush(ready, (key(dependent), index[dependent], dependent))
    if len(order) != len(nodes):
        stuck = sorted(str(n) for n in nodes if waiting[n])
        raise PlanError([f"circular dependency between {', '.join(stuck)}"])
    return order


def closure(start: Iterable[N], deps: Mapping[N, Iterable[N]]) -> set[N]:
    """``start`` and everything it depends on, transitively."""
    seen: set[N] = set()
    stack = list(start)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(deps.get(node, ()))
    return seen
