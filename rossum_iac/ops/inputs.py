"""Checks of command-line input, all done before the first request (bad input never reaches the API).

Every function raises ``rossum_iac.errors.UsageError`` with a one-line message naming the option or file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
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

#: Largest JSON input file read (``--operations``): more than any request body the API takes.
MAX_INPUT_BYTES = 10 * 1024 * 1024

#: Longest integer read from JSON input (Python's own bound for converting text to int).
MAX_INTEGER_DIGITS = 4300

_ORDERING_KEY = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_.]*$")
_SCHEMA_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def _json_error(source: str, text: str, exc: json.JSONDecodeError) -> UsageError:
    where = f"line {exc.lineno} column {exc.colno}" if "\n" in text.strip() else f"position {exc.pos + 1}"
    return UsageError(f"{source}: invalid JSON at {where}: {exc.msg}")


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]}{'...' if len(text) > 20 else ''} is out of range")
    return value


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"a number has {len(text.lstrip('-')):,} digits (at most {MAX_INTEGER_DIGITS:,} are read)")
    return int(text)


def strict_json(text: str, source: str) -> Any:
    """``json.loads`` for what a user typed or a file holds, as the API would take it: no ``NaN``/``Infinity``, no
    numbers out of range, no text that is not UTF-8 (arguments may carry undecodable bytes), nesting bounded by
    the interpreter (a ``RecursionError`` otherwise). Raises ``json.JSONDecodeError`` for syntax errors and
    ``UsageError`` for the rest."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UsageError(f"{source}: not UTF-8 text (character {exc.start + 1})") from None
    try:
        return json.loads(text, parse_constant=_not_json, parse_float=_finite, parse_int=_integer)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise UsageError(f"{source}: invalid JSON: nested too deeply") from None
    except ValueError as exc:
        raise UsageError(f"{source}: invalid JSON: {exc}") from None


def parse_json(text: str, source: str, *, expect: type | tuple[type, ...] = dict) -> Any:
    """``text`` parsed as JSON of the ``expect``ed type; ``source`` names the option (``--metadata``)."""
    try:
        value = strict_json(text, source)
    except json.JSONDecodeError as exc:
        raise _json_error(source, text, exc) from None
    if not isinstance(value, expect):
        raise UsageError(f"{source}: expected a JSON {_type_name(expect)}, got {_json_type(value)}")
    return value


def load_json_file(path: str | Path, source: str, *, expect: type | tuple[type, ...] = dict) -> Any:
    """Contents of a JSON file (``-`` is not accepted: the file must be named); errors name the file."""
    path = Path(path)
    text = read_text_file(path, source)
    if not text.strip():
        raise UsageError(f"{source} {path}: the file is empty")
    try:
        value = strict_json(text, f"{source} {path}")
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source} {path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(value, expect):
        raise UsageError(f"{source} {path}: expected a JSON {_type_name(expect)}, got {_json_type(value)}")
    return value


def read_text_file(path: Path, source: str) -> str:
    """The UTF-8 text of ``path``, read up to ``MAX_INPUT_BYTES`` (a pipe works; ``/dev/zero`` stops there)."""
    try:
        # Opened non-blocking: a named pipe nobody writes to then reads as empty instead of waiting forever (a pipe
        # with a writer, e.g. `--operations <(jq ...)`, is read as usual once blocking again).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
        if len(data) > MAX_INPUT_BYTES:
            limit = MAX_INPUT_BYTES // 1024 // 1024
            raise UsageError(f"{source} {path}: larger than {limit} MB, the most read from an input file")
        return data.decode("utf-8")
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


def _is_id(text: str) -> bool:
    """ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` fails) and within the API's 64-bit ids."""
    return text.isascii() and text.isdigit() and 0 < int(text) < 2**63


def parse_ids(values: Iterable[str], what: str) -> list[int]:
    """Positive integer ids from arguments (``12`` or ``12,13``); duplicates dropped, order kept."""
    ids: list[int] = []
    for raw in values:
        for part in str(raw).split(","):
            part = part.strip()
            if not part:
                continue
            if not _is_id(part):
                raise UsageError(f"{what} id {part!r} is not a positive integer")
            ids.append(int(part))
    if not ids:
        raise UsageError(f"give at least one {what} id")
    return list(dict.fromkeys(ids))


def parse_id(value: str, what: str) -> int:
    """One positive integer id."""
    text = str(value).strip()
    if not _is_id(text):
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
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:  # undecodable bytes in the argument
            raise UsageError(f"{source} {name}=...: the value is not UTF-8 text (character {exc.start + 1})") from None
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
