"""``--queue`` as an id or a manifest key matched by the ownership marker."""

from __future__ import annotations

from typing import Any

import pytest

from rossum_iac.errors import UsageError
from rossum_iac.ops.queues import QueueNotFoundError, QueueRef, match_queue_key, parse_queue_ref, resolve_queue


def queue(qid: int, key: str | None = None, stack: str = "ap", **extra: Any) -> dict[str, Any]:
    metadata = {"rossum_iac": {"stack": stack, "key": key}} if key else {"team": "x"}
    return {"id": qid, "name": f"Queue {qid}", "metadata": metadata, **extra}


def test_parse_numeric_and_key():
    assert parse_queue_ref("42") == QueueRef(queue_id=42)
    assert parse_queue_ref("invoices-eu", "ap") == QueueRef(key="invoices-eu", stack="ap")


@pytest.mark.parametrize(
    ("text", "stack", "message"),
    [
        ("", None, "give a queue id or a manifest key"),
        ("0", None, "queue id must be positive"),
        ("bad key!", None, "neither a queue id nor a manifest key"),
        ("42", "ap", "--stack is only used with a queue key"),
        ("k", "bad stack", "is not a stack name"),
    ],
)
def test_parse_rejects(text: str, stack: str | None, message: str):
    with pytest.raises(UsageError, match=message):
        parse_queue_ref(text, stack)


def test_match_unique_key():
    queues = [queue(1, "invoices-eu"), queue(2, "invoices-us"), queue(3)]
    assert match_queue_key(queues, QueueRef(key="invoices-us")) == 2


def test_match_ignores_queues_scheduled_for_deletion():
    queues = [queue(1, "invoices-eu", delete_after="2030-01-01T00:00:00Z"), queue(2, "invoices-eu")]
    assert match_queue_key(queues, QueueRef(key="invoices-eu")) == 2


def test_unknown_key():
    with pytest.raises(QueueNotFoundError, match=r"^no queue with key 'nope'$"):
        match_queue_key([queue(1, "invoices-eu")], QueueRef(key="nope"))


def test_ambiguous_key_lists_candidates_and_suggests_stack():
    queues = [queue(1, "invoices", stack="ap"), queue(7, "invoices", stack="ar")]
    with pytest.raises(QueueNotFoundError) as info:
        match_queue_key(queues, QueueRef(key="invoices"))
    message = str(info.value)
    assert "ambiguous" in message and "1 ('Queue 1', stack 'ap')" in message and "7 ('Queue 7', stack 'ar')" in message
    assert "pass --stack NAME" in message


def test_stack_disambiguates_and_reports_other_stacks():
    queues = [queue(1, "invoices", stack="ap"), queue(7, "invoices", stack="ar")]
    assert match_queue_key(queues, QueueRef(key="invoices", stack="ar")) == 7
    with pytest.raises(QueueNotFoundError, match=r"in stack 'zz' \(the key exists in stack\(s\) ap, ar\)"):
        match_queue_key(queues, QueueRef(key="invoices", stack="zz"))


def test_match_reads_models_too():
    class Model:
        def __init__(self, qid: int, metadata: dict[str, Any]) -> None:
            self.id, self.name, self.metadata, self.delete_after = qid, "m", metadata, None

    assert match_queue_key([Model(5, {"rossum_iac": {"stack": "s", "key": "k"}})], QueueRef(key="k")) == 5


class FakeClient:
    def __init__(self, queues: list[dict[str, Any]]) -> None:
        self.queues = queues
        self.calls: list[str] = []

    async def list_queues(self):
        self.calls.append("list")
        for q in self.queues:
            yield q

    async def retrieve_queue(self, queue_id: int):
        from rossum_iac.client import APIClientError

        self.calls.append(f"get {queue_id}")
        if queue_id not in {q["id"] for q in self.queues}:
            raise APIClientError("GET", f"queues/{queue_id}", 404, '{"detail": "Not found."}')
        return {}


async def test_resolve_id_makes_no_request_unless_checked():
    client = FakeClient([queue(1, "k")])
    assert await resolve_queue(client, QueueRef(queue_id=9)) == 9
    assert client.calls == []
    with pytest.raises(QueueNotFoundError, match=r"^queue 9 not found$"):
        await resolve_queue(client, QueueRef(queue_id=9), check_exists=True)
    assert await resolve_queue(client, QueueRef(key="k")) == 1
    assert client.calls == ["get 9", "list"]


def test_id_from_url():
    from rossum_iac.ops.urls import id_from_url

    assert id_from_url("http://h/api/v1/annotations/12") == 12
    assert id_from_url("http://h/api/v1/uploads/7/?x=1") == 7
    with pytest.raises(ValueError, match="no numeric id"):
        id_from_url("http://h/api/v1/queues")
