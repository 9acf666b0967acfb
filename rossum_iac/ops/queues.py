"""``--queue`` accepts a numeric id or a manifest key (``invoices-eu``), found by the ownership marker.

A key is matched against ``metadata["rossum_iac"]["key"]`` of the live queues (``MARKER_KEY``); ``--stack``
narrows the match to one stack when two stacks use the same key. Queues scheduled for deletion are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rossum_iac.errors import RossumIacError, UsageError
from rossum_iac.kinds import MARKER_KEY

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class QueueNotFoundError(RossumIacError):
    """No live queue matches the ``--queue`` argument, or several do."""


@dataclass(frozen=True)
class QueueRef:
    """What the user wrote after ``--queue``: an id or a (stack-qualified) manifest key."""

    queue_id: int | None = None
    key: str | None = None
    stack: str | None = None

    def describe(self) -> str:
        if self.queue_id is not None:
            return f"queue {self.queue_id}"
        where = f" in stack {self.stack!r}" if self.stack else ""
        return f"queue with key {self.key!r}{where}"


def parse_queue_ref(text: str, stack: str | None = None, source: str = "--queue") -> QueueRef:
    """``"123"`` -> id 123; ``"invoices-eu"`` -> key. ``--stack`` only makes sense with a key."""
    value = text.strip()
    if not value:
        raise UsageError(f"{source}: give a queue id or a manifest key")
    if stack is not None and not _KEY.match(stack):
        raise UsageError(f"--stack: {stack!r} is not a stack name")
    if value.isdigit():
        if stack is not None:
            raise UsageError(f"--stack is only used with a queue key, but {source} {value} is a numeric id")
        if int(value) <= 0:
            raise UsageError(f"{source}: queue id must be positive, got {value}")
        return QueueRef(queue_id=int(value))
    if not _KEY.match(value):
        raise UsageError(f"{source}: {value!r} is neither a queue id nor a manifest key")
    return QueueRef(key=value, stack=stack)


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def marker_of(queue: Any) -> tuple[str, str] | None:
    """``(stack, key)`` of a queue's ownership marker, or ``None`` when it carries none."""
    metadata = _field(queue, "metadata")
    raw = metadata.get(MARKER_KEY) if isinstance(metadata, Mapping) else None
    if not isinstance(raw, Mapping):
        return None
    stack, key = raw.get("stack"), raw.get("key")
    if isinstance(stack, str) and isinstance(key, str):
        return stack, key
    return None


def match_queue_key(queues: Iterable[Any], ref: QueueRef) -> int:
    """The id of the one queue whose marker has ``ref.key`` (and ``ref.stack`` if given).

    Raises ``QueueNotFoundError`` when none or several match; the message lists the candidates so the
    user can pick ``--stack`` or the id.
    """
    if ref.key is None:
        raise ValueError("match_queue_key needs a key reference")
    matches: list[tuple[int, str, str]] = []
    same_key_other_stack: list[str] = []
    for queue in queues:
        if _field(queue, "delete_after"):
            continue
        marker = marker_of(queue)
        if marker is None or marker[1] != ref.key:
            continue
        if ref.stack is not None and marker[0] != ref.stack:
            same_key_other_stack.append(marker[0])
            continue
        matches.append((int(_field(queue, "id")), str(_field(queue, "name") or ""), marker[0]))
    if len(matches) == 1:
        return matches[0][0]
    if not matches:
        hint = ""
        if same_key_other_stack:
            hint = f" (the key exists in stack(s) {', '.join(sorted(set(same_key_other_stack)))})"
        raise QueueNotFoundError(f"no {ref.describe()}{hint}")
    listed = ", ".join(f"{qid} ({name!r}, stack {stack!r})" for qid, name, stack in sorted(matches))
    advice = "use the queue id" if ref.stack else "pass --stack NAME or use the queue id"
    raise QueueNotFoundError(f"{ref.describe()} is ambiguous: queues {listed}; {advice}")


async def resolve_queue(client: Any, ref: QueueRef, *, check_exists: bool = False) -> int:
    """The queue id for ``ref``: an id as-is (``check_exists``: one ``GET`` to turn a wrong id into a clear
    error), a key by listing the queues."""
    from rossum_iac.client import APIClientError

    if ref.queue_id is not None:
        if check_exists:
            try:
                await client.retrieve_queue(ref.queue_id)
            except APIClientError as exc:
                if exc.status_code == 404:
                    raise QueueNotFoundError(f"queue {ref.queue_id} not found") from None
                raise
        return ref.queue_id
    queues = [queue async for queue in client.list_queues()]
    return match_queue_key(queues, ref)
