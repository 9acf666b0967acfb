"""Saving and loading plan files (the versioned JSON form of ``Plan``)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rossum_iac.engine.errors import PlanFileError
from rossum_iac.engine.plan import Plan
from rossum_iac.manifest.model import Secret, Stack, Template, iter_markers


def stack_secret_values(stack: Stack) -> list[str]:
    """Every secret value used by a stack (to check that none leaks into a file or output)."""
    values = []
    for obj in stack.objects:
        for value in obj.fields.values():
            for marker in iter_markers(value):
                if isinstance(marker, Secret):
                    values.append(marker.value)
                elif isinstance(marker, Template):
                    values.extend(p.value for p in marker.parts if isinstance(p, Secret))
    return [v for v in values if v]


def dumps_plan(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, ensure_ascii=False) + "\n"


def write_plan(path: Path, plan: Plan, *, secrets: Iterable[str] = ()) -> None:
    """Write atomically (a reader never sees half a plan). ``secrets``: values that must not be in the file."""
    text = dumps_plan(plan)
    for value in secrets:
        if value and value in text:
            # Never expected: the plan model holds no secret values. Refuse rather than write one.
            raise PlanFileError("refusing to write the plan: it would contain a secret value")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".plan-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_plan(path: Path) -> Plan:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanFileError(f"cannot read plan file {path}: {exc.strerror or exc}") from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"{path}:{exc.lineno}:{exc.colno}: not a JSON plan file ({exc.msg})") from None
    if not isinstance(data, dict):
        raise PlanFileError(f"{path}: not a rossum-iac plan (expected a JSON object)")
    try:
        return Plan.from_json(data)
    except PlanFileError as exc:
        raise PlanFileError(f"{path}: {exc}") from None


def looks_like_plan_file(path: Path) -> bool:
    """``apply`` takes a directory or a plan file; a file ending in ``.json`` is a plan."""
    return Path(path).is_file() and Path(path).suffix.lower() == ".json"
