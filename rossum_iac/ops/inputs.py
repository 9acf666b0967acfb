"""Checks of command-line input, all done before the first request (bad input never reaches the API).

Every function raises ``rossum_iac.errors.UsageError`` with a one-line message naming the option or file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rossum_iac.errors import UsageError
from rossum_iac.suggest import suggest

#: Annotation statuses documented in the API reference ("Annotation Lifecycle").
ANNOTATION_STATUSES: tuple[str, ...] = (
    "created",
    "importing",
    "failed_import",
    "split",
    "to_review",
    "reviewing",
    "in_workflow",
    "confirmed",
    "rejected",
    "exporting",
    "exported",
    "failed_export",
    "postponed",
    "deleted",
    "purged",
)

#: ``to_status`` values the export endpoint accepts (POST only).
EXPORT_TO_STATUSES: tuple[str, ...] = ("exporting", "exported")

EXPORT_FORMATS: tuple[str, ...] = ("csv", "xml", "xlsx", "json")

#: The API's limit on one upload request (reference "Upload": total size at most 40 MB).
MAX_UPLOAD_BYTES = 40 * 1024 * 1024

_ORDERING_KEY = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_.]*$")
_SCHEMA_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def _json_error(source: str, text: str, exc: json.JSONDecodeError) -> UsageError:
    where = f"line {exc.lineno} column {exc.colno}" if "\n" in text.strip() else f"position {exc.pos + 1}"
    return UsageError(f"{source}: invalid JSON at {where}: {exc.msg}")


def parse_json(text: str, source: str, *, expect: type | tuple[type, ...] = dict) -> Any:
    """``text`` parsed as JSON of the ``expect``ed type; ``source`` names the option (``--metadata``)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _json_error(source, text, exc) from None
    if not isinstance(value, expect):
        raise UsageError(f"{source}: expected a JSON {_type_name(expect)}, got {_json_type(value)}")
    return value


def load_json_file(path: str | Path, source: str, *, expect: type | tuple[type, ...] = dict) -> Any:
    """Contents of a JSON file (``-`` is not accepted: the file must be named); errors name the file."""
    path = Path(path)
    text = read_text_file(path, source)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source} {path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(value, expect):
        raise UsageError(f"{source} {path}: expected a JSON {_type_name(expect)}, got {_json_type(value)}")
    return value


def read_text_file(path: Path, source: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{source}: no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{source}: {path} is a directory, not a file") from None
    except PermissionError:
        raise UsageError(f"{source}: cannot read {path}: permission denied") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source} {path}: not UTF-8 text (byte {exc.start + 1})") from None
    except OSError as exc:
        raise UsageError(f"{source}: cannot read {path}: {exc.strerror or exc}") from None


def _type_name(expect: type | tuple[type, ...]) -> str:
    types = expect if isinstance(expect, tuple) else (expect,)
    names = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean"}
    return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in types))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return _type_name(type(value))


def parse_operations(path: str | Path) -> list[dict[str, Any]]:
    """The ``--operations`` file: ``{"operations": [...]}`` or a bare list of ``{"op": ..., "id": ...}``."""
    data = load_json_file(path, "--operations", expect=(dict, list))
    operations = data.get("operations") if isinstance(data, dict) else data
    if not isinstance(operations, list) or not operations:
        raise UsageError(f"--operations {path}: expected a non-empty list of operations (or {{'operations': [...]}})")
    for index, op in enumerate(operations):
        if not isinstance(op, dict):
            raise UsageError(f"--operations {path}: operation {index + 1} is not a JSON object")
        if op.get("op") not in ("replace", "add", "remove"):
            raise UsageError(f"--operations {path}: operation {index + 1}: 'op' must be replace, add or remove")
        if "id" not in op:
            raise UsageError(f"--operations {path}: operation {index + 1} has no 'id'")
        if op["op"] != "remove" and "value" not in op:
            raise UsageError(f"--operations {path}: operation {index + 1} ({op['op']}) has no 'value'")
    return operations


def parse_statuses(text: str | None, source: str = "--status") -> list[str]:
    """``to_review,postponed`` -> ``["to_review", "postponed"]``, each a documented annotation status."""
    if text is None:
        return []
    statuses = [s.strip() for s in text.split(",") if s.strip()]
    if not statuses:
        raise UsageError(f"{source}: give at least one status")
    for status in statuses:
        check_status(status, source)
    return list(dict.fromkeys(statuses))


def check_status(status: str, source: str) -> str:
    if status not in ANNOTATION_STATUSES:
        raise UsageError(
            f"{source}: unknown annotation status {status!r}{suggest(status, ANNOTATION_STATUSES)} "
            f"(known: {', '.join(ANNOTATION_STATUSES)})"
        )
    return status


def parse_ordering(text: str | None, source: str = "--ordering") -> list[str]:
    """``-created_at,id`` -> ``["-created_at", "id"]``; keys are identifiers (optionally dotted)."""
    if text is None:
        return []
    keys = [k.strip() for k in text.split(",") if k.strip()]
    for key in keys:
        if not _ORDERING_KEY.match(key):
            raise UsageError(f"{source}: {key!r} is not an ordering key (e.g. -created_at or id)")
    return keys


def parse_timestamp(text: str | None, source: str) -> str | None:
    """An ISO 8601 date or date-time (``2024-05-01``, ``2024-05-01T12:00:00Z``), returned as given."""
    if text is None:
        return None
    value = text.strip()
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(f"{source}: {text!r} is not an ISO 8601 date or date-time (e.g. 2024-05-01)") from None
    return value


def parse_ids(values: Iterable[str], what: str) -> list[int]:
    """Positive integer ids from arguments (``12`` or ``12,13``); duplicates dropped, order kept."""
    ids: list[int] = []
    for raw in values:
        for part in str(raw).split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or int(part) <= 0:
                raise UsageError(f"{what} id {part!r} is not a positive integer")
            ids.append(int(part))
    if not ids:
        raise UsageError(f"give at least one {what} id")
    return list(dict.fromkeys(ids))


def parse_id(value: str, what: str) -> int:
    """One positive integer id."""
    text = str(value).strip()
    if not text.isdigit() or int(text) <= 0:
        raise UsageError(f"{what} id {text!r} is not a positive integer")
    return int(text)


def parse_assignments(items: Sequence[str], source: str = "--set") -> list[tuple[str, str]]:
    """``schema_id=value`` pairs (the value may contain ``=`` and may be empty); each schema id once."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"{source} {item!r}: expected schema_id=value")
        if not _SCHEMA_ID.match(name):
            raise UsageError(f"{source} {item!r}: {name!r} is not a schema id")
        if name in seen:
            raise UsageError(f"{source}: {name!r} is given twice")
        seen.add(name)
        pairs.append((name, value))
    return pairs


def check_positive(value: float | None, source: str) -> float | None:
    if value is not None and not value > 0:
        raise UsageError(f"{source} must be a positive number, got {value:g}")
    return value


def check_upload_files(paths: Sequence[str | Path]) -> list[Path]:
    """Every path an existing, readable, regular file within the API's size limit; duplicates are an error."""
    if not paths:
        raise UsageError("give at least one file to upload")
    checked: list[Path] = []
    seen: dict[Path, str] = {}
    for raw in paths:
        path = Path(raw)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise UsageError(f"no such file: {raw}") from None
        except OSError as exc:
            raise UsageError(f"cannot read {raw}: {exc.strerror or exc}") from None
        if path.is_dir():
            raise UsageError(f"{raw} is a directory, not a file")
        if not path.is_file():
            raise UsageError(f"{raw} is not a regular file")
        if not os.access(path, os.R_OK):
            raise UsageError(f"cannot read {raw}: permission denied")
        if st.st_size == 0:
            raise UsageError(f"{raw} is empty")
        if st.st_size > MAX_UPLOAD_BYTES:
            raise UsageError(
                f"{raw} is {st.st_size / 1024 / 1024:.1f} MB; the API accepts at most "
                f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB per upload"
            )
        resolved = path.resolve()
        if resolved in seen:
            raise UsageError(f"{raw} is given twice (also as {seen[resolved]})")
        seen[resolved] = str(raw)
        checked.append(path)
    return checked


def check_output_file(path: str | Path, source: str = "-o") -> Path:
    """A file path whose directory exists and is writable (the file itself may exist: it is replaced)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{source} {path}: is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{source} {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{source} {path}: directory {parent} is not writable")
    return path
