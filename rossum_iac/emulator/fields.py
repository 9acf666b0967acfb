"""Field specifications: how a resource's attributes are validated on write, stored and rendered.

Storage vs. wire: references are stored as integer ids and rendered as absolute URLs; M2M links live
in the ``links`` table; derived fields are computed at render time; write-only fields are stored but
never rendered. Validation messages follow Django REST framework (the Rossum API is DRF-based).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rossum_iac.emulator.http import Request

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
NOT_BLANK = "This field may not be blank."

_URL_RE = re.compile(r"^https?://[^/?#\s]+(?P<path>/[^?#\s]*)?(?:\?[^#\s]*)?(?:#\S*)?$")
_API_PATH_RE = re.compile(r"(?:/api)?/v1/(?P<collection>[a-z_]+)/(?P<id>[0-9]+)/?$")
_DURATION_RE = re.compile(
    r"^(?:(?P<days>-?\d+) (?:days?, )?)?(?:(?P<hours>-?\d+):)?(?:(?P<minutes>-?\d+):)?(?P<seconds>-?\d+(?:\.\d{1,6})?)$"
)
MAX_ID = 2**63 - 1
"""SQLite's largest INTEGER: no object has a larger id."""
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class FieldError(Exception):
    def __init__(self, *messages: Any) -> None:
        self.messages = list(messages)
        super().__init__("; ".join(str(m) for m in messages))


# ---------------------------------------------------------------------------------------- time helpers


def now_iso() -> str:
    """Current UTC time as the API formats it: ``2018-06-01T21:36:42.223415Z``."""
    return format_datetime(datetime.now(UTC))


def format_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_datetime(value: str) -> datetime:
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_duration(value: str) -> timedelta:
    """Django's ``[DD] [[HH:]MM:]ss[.uuuuuu]`` duration (the API's timedelta format)."""
    m = _DURATION_RE.match(value.strip())
    if not m:
        raise ValueError(value)
    parts = m.groupdict()
    return timedelta(
        days=int(parts["days"] or 0),
        hours=int(parts["hours"] or 0),
        minutes=int(parts["minutes"] or 0),
        seconds=float(parts["seconds"]),
    )


def format_duration(value: timedelta) -> str:
    """Django's ``duration_string``: ``01:00:00``, ``90 00:00:00``, ``00:00:01.500000``."""
    days = value.days
    seconds = value.seconds
    micro = value.microseconds
    hours, rem = divmod(seconds, 3600)
    minutes, secs = divmod(rem, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    if days:
        text = f"{days} {text}"
    if micro:
        text += f".{micro:06d}"
    return text


# ------------------------------------------------------------------------------------------- URLs


def parse_api_url(value: Any) -> tuple[str, int]:
    """``http://host/api/v1/queues/5`` -> ("queues", 5). Any host is accepted (the path identifies the object), and
    so is the ``/v1/...`` form without ``/api`` that regional hosts use (``https://us.api.rossum.ai/v1/users/7``
    in live objects), a query and a ``#fragment`` (ignored). An id too long to be stored comes back as
    ``MAX_ID + 1`` (names no object)."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise FieldError(f"Incorrect type. Expected URL string, received {type(value).__name__}.")
    m = _URL_RE.match(value.strip())
    path_m = _API_PATH_RE.search(m.group("path") or "") if m else None
    if path_m is None:
        raise FieldError("Invalid hyperlink - No URL match.")
    digits = path_m.group("id").lstrip("0") or "0"
    return path_m.group("collection"), int(digits) if len(digits) <= 19 else MAX_ID + 1


# ------------------------------------------------------------------------------------------ fields


@dataclass
class Field:
    """One attribute of a resource.

    kind: ``str int float bool dict list any datetime duration email url`` (plain values),
    ``ref`` (one object, stored as id), ``refs`` (list of objects, stored as list of ids),
    ``m2m`` (stored in the links table under ``relation``; this resource is ``side`` "a" or "b"),
    ``derived`` (read-only, computed by ``derive(req, obj)``).
    """

    name: str
    kind: str = "any"
    required: bool = False
    default: Any = None
    nullable: bool = False
    read_only: bool = False
    write_only: bool = False
    choices: tuple[Any, ...] | None = None
    max_length: int | None = None
    allow_blank: bool = True
    min_value: float | None = None
    max_value: float | None = None
    target: str | None = None  # collection of ref/refs/m2m
    relation: str | None = None  # m2m relation name
    side: str = "a"  # m2m: which column of the links table this resource is
    derive: Callable[[Request, dict[str, Any]], Any] | None = None
    on_delete: str = "set_null"  # ref/refs: what happens to this object when the target is deleted
    validate: Callable[[Request, Any], Any] | None = None  # extra check/transform after coercion
    create_only: bool = False  # writable on create, silently ignored on update (user email/password)
    virtual: bool = False  # ref/refs validated on write but not stored; rendered by ``derive``; the resource's
    # before_write/after_write applies it to the other side (connector.queues -> queue.connector)

    @property
    def stored(self) -> bool:
        """Stored in the object's JSON (not m2m, not derived)."""
        return self.kind not in ("m2m", "derived") and not self.virtual

    @property
    def writable(self) -> bool:
        return not self.read_only and self.kind != "derived"

    def default_value(self) -> Any:
        if callable(self.default):
            return self.default()
        if isinstance(self.default, dict | list):
            import copy

            return copy.deepcopy(self.default)
        return self.default

    # -- coercion of one incoming value to its stored form
    def coerce(self, req: Request, value: Any) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise FieldError(NOT_NULL)
        coerced = getattr(self, f"_coerce_{self.kind}")(req, value)
        if self.choices is not None and coerced not in self.choices:
            raise FieldError(f'"{value}" is not a valid choice.')
        if self.validate is not None:
            coerced = self.validate(req, coerced)
        return coerced

    def _coerce_any(self, req: Request, value: Any) -> Any:
        return value

    def _coerce_str(self, req: Request, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise FieldError("Not a valid string.")
        text = str(value)
        if not self.allow_blank and not text.strip():
            raise FieldError(NOT_BLANK)
        if self.max_length is not None and len(text) > self.max_length:
            raise FieldError(f"Ensure this field has no more than {self.max_length} characters.")
        return text

    def _coerce_int(self, req: Request, value: Any) -> int:
        if isinstance(value, bool):
            raise FieldError("A valid integer is required.")
        try:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            number = int(value) if not isinstance(value, str) else int(value.strip())
        except (TypeError, ValueError, OverflowError):
            raise FieldError("A valid integer is required.") from None
        self._check_range(number)
        if not -MAX_ID - 1 <= number <= MAX_ID:  # Django's BigIntegerField bounds: what SQLite can store
            raise FieldError(f"Ensure this value is {'less' if number > 0 else 'greater'} than or equal to "
                             f"{MAX_ID if number > 0 else -MAX_ID - 1}.")  # fmt: skip
        return number

    def _coerce_float(self, req: Request, value: Any) -> float:
        if isinstance(value, bool):
            raise FieldError("A valid number is required.")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise FieldError("A valid number is required.") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise FieldError("A valid number is required.")
        self._check_range(number)
        return number

    def _check_range(self, number: float) -> None:
        if self.min_value is not None and number < self.min_value:
            raise FieldError(f"Ensure this value is greater than or equal to {self.min_value:g}.")
        if self.max_value is not None and number > self.max_value:
            raise FieldError(f"Ensure this value is less than or equal to {self.max_value:g}.")

    def _coerce_bool(self, req: Request, value: Any) -> bool:
        if value in (True, 1, "true", "True", "1"):
            return True
        if value in (False, 0, "false", "False", "0"):
            return False
        raise FieldError("Must be a valid boolean.")

    def _coerce_dict(self, req: Request, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FieldError(f'Expected a dictionary of items but got type "{type(value).__name__}".')
        return value

    def _coerce_list(self, req: Request, value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise FieldError(f'Expected a list of items but got type "{type(value).__name__}".')
        return value

    def _coerce_datetime(self, req: Request, value: Any) -> str:
        if not isinstance(value, str):
            raise FieldError(
                "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]]Z."
            )
        try:
            return format_datetime(parse_datetime(value))
        except (ValueError, OverflowError):
            raise FieldError(
                "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]]Z."
            ) from None

    def _coerce_duration(self, req: Request, value: Any) -> str:
        try:
            return format_duration(parse_duration(str(value)))
        except (ValueError, OverflowError):
            raise FieldError(
                "Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu]."
            ) from None

    def _coerce_email(self, req: Request, value: Any) -> str:
        text = self._coerce_str(req, value)
        if text and not _EMAIL_RE.match(text):
            raise FieldError("Enter a valid email address.")
        return text

    def _coerce_url(self, req: Request, value: Any) -> str:
        text = self._coerce_str(req, value)
        if text and not _URL_RE.match(text):
            raise FieldError("Enter a valid URL.")
        return text

    def _resolve(self, req: Request, value: Any) -> int:
        collection, obj_id = parse_api_url(value)
        if collection != self.target:
            raise FieldError("Invalid hyperlink - Incorrect URL match.")
        if not req.tx.exists(collection, obj_id):
            raise FieldError("Invalid hyperlink - Object does not exist.")
        return obj_id

    def _coerce_ref(self, req: Request, value: Any) -> int:
        return self._resolve(req, value)

    def _coerce_refs(self, req: Request, value: Any) -> list[int]:
        if not isinstance(value, list):
            raise FieldError(f'Expected a list of items but got type "{type(value).__name__}".')
        ids: list[int] = []
        for item in value:
            obj_id = self._resolve(req, item)
            if obj_id not in ids:
                ids.append(obj_id)
        return ids

    _coerce_m2m = _coerce_refs

    # -- rendering of the stored value
    def render(self, req: Request, obj: dict[str, Any]) -> Any:
        kind = self.kind
        if self.derive is not None:
            return self.derive(req, obj)
        if kind == "m2m":
            assert self.relation is not None and self.target is not None
            return [req.url_for(self.target, i) for i in req.tx.link_ids(self.relation, self.side, obj["id"])]
        value = obj.get(self.name) if self.name in obj else self.default_value()
        if kind == "ref":
            return None if value is None else req.url_for(self.target or "", value)
        if kind == "refs":
            return [req.url_for(self.target or "", i) for i in value or []]
        return value


# ---------------------------------------------------------------------------------- constructors


def f_str(name: str, **kw: Any) -> Field:
    kw.setdefault("default", "")
    return Field(name, "str", **kw)


def f_int(name: str, **kw: Any) -> Field:
    return Field(name, "int", **kw)


def f_float(name: str, **kw: Any) -> Field:
    return Field(name, "float", **kw)


def f_bool(name: str, default: bool = False, **kw: Any) -> Field:
    return Field(name, "bool", default=default, **kw)


def f_dict(name: str, **kw: Any) -> Field:
    kw.setdefault("default", {})
    return Field(name, "dict", **kw)


def f_list(name: str, **kw: Any) -> Field:
    kw.setdefault("default", [])
    return Field(name, "list", **kw)


def f_ref(name: str, target: str, **kw: Any) -> Field:
    return Field(name, "ref", target=target, **kw)


def f_refs(name: str, target: str, **kw: Any) -> Field:
    kw.setdefault("default", [])
    return Field(name, "refs", target=target, **kw)


def f_m2m(name: str, target: str, relation: str, side: str, **kw: Any) -> Field:
    return Field(name, "m2m", target=target, relation=relation, side=side, default=[], **kw)


def f_derived(name: str, derive: Callable[[Request, dict[str, Any]], Any]) -> Field:
    return Field(name, "derived", read_only=True, derive=derive)


def f_virtual_refs(name: str, target: str, derive: Callable[[Request, dict[str, Any]], Any], **kw: Any) -> Field:
    """A writable list of references stored on the other side (see ``Field.virtual``)."""
    return Field(name, "refs", target=target, virtual=True, derive=derive, default=[], **kw)


def f_ro(name: str, default: Any = None, kind: str = "any") -> Field:
    """A stored read-only value (set by the emulator, never by a client)."""
    return Field(name, kind, read_only=True, default=default, nullable=True)
