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
    return _dumps(plan.to_json())


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


EMBEDDED_SECRET_MIN_LENGTH = 8
"""Secrets at least this long are also looked for inside longer texts; shorter ones only as whole values (a
one-letter development secret is part of almost any text, and would make every plan file "contain" it)."""


def secret_locations(data: Any, secrets: Iterable[str]) -> list[str]:
    """JSON paths of the texts in ``data`` (keys included) that are, or contain, one of the secret values."""
    values = [v for v in secrets if v]
    found: list[str] = []

    def leaks(text: str) -> bool:
        return any(text == v or (len(v) >= EMBEDDED_SECRET_MIN_LENGTH and v in text) for v in values)

    def walk(node: Any, where: str) -> None:
        if isinstance(node, str):
            if leaks(node):
                found.append(where or "(top)")
        elif isinstance(node, dict):
            for key, value in node.items():
                child = f"{where}.{key}" if where else str(key)
                if leaks(str(key)):
                    found.append(child)
                walk(value, child)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    if values:
        walk(data, "")
    return found


def write_plan(path: Path, plan: Plan, *, secrets: Iterable[str] = ()) -> None:
    """Write atomically (a reader never sees half a plan). ``secrets``: values that must not be in the file."""
    data = plan.to_json()
    leaked = secret_locations(data, secrets)
    if leaked:
        # Never expected: the plan model holds no secret values. Refuse rather than write one.
        raise PlanFileError(
            f"refusing to write the plan: it would contain a secret value (at {', '.join(leaked[:5])})"
        )
    text = _dumps(data)
    path = Path(path)
    blocking = next((p for p in (path.parent, *path.parent.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise PlanFileError(f"cannot write the plan to {path}: {blocking} is a file, not a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".plan-", suffix=".json", dir=path.parent)
    except OSError as exc:
        raise PlanFileError(f"cannot write the plan to {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PlanFileError(f"cannot write the plan to {path}: {exc.strerror or exc}") from None
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
