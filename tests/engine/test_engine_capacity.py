"""The projected organization metadata counts exactly what an apply would write: the records of every stack, the
lease, and the organization's own metadata (as declared by an Organization manifest when there is one)."""

from __future__ import annotations

from pathlib import Path

from rossum_iac.engine.capacity import capacity_problem, projected_metadata
from rossum_iac.kinds import MARKER_KEY
from rossum_iac.manifest import load_stack


def _stack(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    (tmp_path / "rossum.yaml").write_text("stack: s\n")
    (tmp_path / "objects.yaml").write_text(text)
    return load_stack(tmp_path)


ORG = {"id": 1, "metadata": {"team": "ap", MARKER_KEY: {"rules": {"other": {"r": 5}}, "labels": {"s": {"gone": 9}}}}}


def test_projection_keeps_other_stacks_replaces_this_ones_and_adds_the_lease(tmp_path: Path) -> None:
    stack = _stack(tmp_path, "kind: Label\nkey: urgent\nname: Urgent\n---\nkind: Label\nkey: kept\nname: Kept\n")
    desired = {o.address: o for o in stack.objects}
    projected = projected_metadata(ORG, "s", desired, {"Label/kept": 42}, new_id=10**7)
    records = projected[MARKER_KEY]
    assert projected["team"] == "ap"
    assert records["rules"] == {"other": {"r": 5}}
    assert records["labels"] == {"s": {"urgent": 10**7, "kept": 42}}  # 'gone' leaves with its manifest
    assert set(records["leases"]) == {"s"}
    assert ORG["metadata"][MARKER_KEY]["labels"] == {"s": {"gone": 9}}  # the live value is not modified


def test_the_organizations_declared_metadata_counts_instead_of_the_live_one(tmp_path: Path) -> None:
    big = "x" * 3900
    stack = _stack(tmp_path, f"kind: Organization\nkey: org\nmetadata: {{note: {big}}}\n")
    desired = {o.address: o for o in stack.objects}
    assert projected_metadata(ORG, "s", desired, {})["note"] == big
    problem = capacity_problem(ORG, "s", desired, {})
    assert problem is not None and "4,096 bytes" in problem
    assert capacity_problem({"id": 1, "metadata": {}}, "s", {}, {}) is None


def test_new_ids_are_counted_one_digit_longer_than_the_longest_live_id(tmp_path: Path) -> None:
    labels = "\n---\n".join(f"kind: Label\nkey: l{i}\nname: L{i}" for i in range(200))
    desired = {o.address: o for o in _stack(tmp_path, labels).objects}
    assert capacity_problem({"id": 1, "metadata": {}}, "s", desired, {}, longest_id=99) is None  # 8 digits: fits
    assert capacity_problem({"id": 1, "metadata": {}}, "s", desired, {}, longest_id=10**14) is not None  # 16 digits
