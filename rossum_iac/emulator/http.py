"""Request/Response types, API errors and body parsing (JSON, form-urlencoded, multipart/form-data).

Nothing here knows about sockets or SQLite: ``server.py`` builds a :class:`Request` from the wire and
writes the :class:`Response` back; handlers only see these two types.

JSON bodies are parsed strictly, as DRF's parser does: ``NaN``/``Infinity``/``-Infinity`` are refused
(400 ``JSON parse error - Out of range float values are not JSON compliant: NaN``); so are numbers that
overflow a double (``1e400``) and, an emulator choice (the docs are silent; Python's parser gives up near
1,000 levels and SQLite's JSON functions at 1,000), values nested deeper than :data:`MAX_JSON_DEPTH`.
A body without ``Content-Type`` or with a type no parser handles -> 415 (DRF); an empty body is ``{}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from rossum_iac.emulator.store import Tx

JSON_TYPE = "application/json"
MAX_JSON_DEPTH = 100
"""Deepest nesting of arrays/objects accepted in a JSON body (real configuration is < 20 levels deep)."""


# --------------------------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error answered to the client as JSON; raising it inside a handler rolls the transaction back."""

    status = 500
    default_detail = "A server error occurred."

    def __init__(self, detail: Any = None, *, headers: dict[str, str] | None = None) -> None:
        self.detail = self.default_detail if detail is None else detail
        self.headers = headers or {}
        super().__init__(str(self.detail))

    def body(self) -> Any:
        return {"detail": self.detail}

    def to_response(self) -> Response:
        return Response(self.status, self.body(), headers=dict(self.headers))


class BadRequest(ApiError):
    """400 with DRF-style field errors: ``{"field": ["message", ...], "non_field_errors": [...]}``.

    Pass a dict of field -> message(s), or a plain string (-> ``{"detail": msg}``), or a list (-> non_field_errors).
    """

    status = 400
    default_detail = "Bad request."

    def __init__(self, errors: Any = None, **kwargs: Any) -> None:
        super().__init__(errors, **kwargs)

    def body(self) -> Any:
        errors = self.detail
        if isinstance(errors, dict):
            return {k: (v if isinstance(v, list | dict) else [v]) for k, v in errors.items()}
        if isinstance(errors, list):
            return {"non_field_errors": errors}
        return {"detail": errors}


class Unauthorized(ApiError):
    status = 401
    default_detail = "Authentication credentials were not provided."

    def __init__(self, detail: Any = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})


class Forbidden(ApiError):
    status = 403
    default_detail = "You do not have permission to perform this action."


class NotFound(ApiError):
    status = 404
    default_detail = "Not found."


class MethodNotAllowed(ApiError):
    status = 405

    def __init__(self, method: str, allowed: Iterable[str] = ()) -> None:
        allow = ", ".join(sorted(set(allowed)))
        super().__init__(f'Method "{method}" not allowed.', headers={"Allow": allow} if allow else None)


class Conflict(ApiError):
    status = 409
    default_detail = "Conflict."


class PayloadTooLarge(ApiError):
    status = 413
    default_detail = "Request entity too large."


class UnsupportedMediaType(ApiError):
    status = 415

    def __init__(self, content_type: str) -> None:
        super().__init__(f'Unsupported media type "{content_type}" in request.')


class Throttled(ApiError):
    status = 429
    default_detail = "Request was throttled."

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__(
            f"Request was throttled. Expected available in {retry_after} second{'s' if retry_after != 1 else ''}.",
            headers={"Retry-After": str(retry_after)},
        )


# ------------------------------------------------------------------------------------------- response


@dataclass
class Response:
    """``body`` is JSON-serialised unless it is bytes (then ``content_type`` says what it is); None = empty.

    ``stream``: an iterable of bytes chunks sent with ``Transfer-Encoding: chunked`` instead of ``body``
    (large exports, document downloads). It is consumed after the request's transaction has committed, so
    a stream that reads the database opens its own ``req.app.store.transaction()`` per chunk.
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON_TYPE
    stream: Iterable[bytes] | None = None

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes | bytearray):
            return bytes(self.body)
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode()


def no_content() -> Response:
    return Response(204, None)


# -------------------------------------------------------------------------------------------- request


@dataclass
class UploadedFile:
    """One part of a multipart body."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass
class Request:
    """One API request. ``path`` is relative to the API root (``/queues/5``); ``tx`` is its transaction.

    Attributes set by the dispatcher: ``path_params`` (route placeholders), ``tx``, ``user`` (the
    authenticated user object, None on unauthenticated routes), ``base_url`` (``http://host:port/api/v1``),
    ``app`` (the :class:`rossum_iac.emulator.server.App`: settings, ``call_later``...).
    """

    method: str
    path: str
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    base_url: str = ""
    path_params: dict[str, Any] = field(default_factory=dict)
    user: dict[str, Any] | None = None
    token: str | None = None
    app: Any = None
    _tx: Tx | None = None
    _query: list[tuple[str, str]] | None = None
    _parsed: Any = None
    _parsed_done: bool = False
    _files: dict[str, list[UploadedFile]] | None = None

    # -- query
    @property
    def query_list(self) -> list[tuple[str, str]]:
        if self._query is None:
            self._query = parse_qsl(self.query_string, keep_blank_values=True)
        return self._query

    @property
    def query(self) -> dict[str, str]:
        """Last value per query parameter."""
        return dict(self.query_list)

    def param(self, name: str, default: str | None = None) -> str | None:
        value = default
        for key, val in self.query_list:
            if key == name:
                value = val
        return value

    def bool_param(self, name: str, default: bool = False) -> bool:
        value = self.param(name)
        if value is None or value == "":
            return default
        return parse_bool_text(value, name)

    # -- transaction
    @property
    def tx(self) -> Tx:
        if self._tx is None:
            raise RuntimeError("request has no transaction")
        return self._tx

    # -- body
    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def _parse(self) -> None:
        if self._parsed_done:
            return
        self._parsed_done = True
        ctype = self.content_type
        if not self.body.strip():
            self._parsed = None
        elif ctype == JSON_TYPE or ctype.endswith("+json"):
            try:
                self._parsed = parse_json(self.body)
            except ValueError as exc:
                raise BadRequest(f"JSON parse error - {exc}") from None
        elif ctype == "application/x-www-form-urlencoded":
            try:
                text = self.body.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest("Form body is not valid UTF-8.") from None
            self._parsed = dict(parse_qsl(text, keep_blank_values=True))
        elif ctype == "multipart/form-data":
            parts = parse_multipart(self.body, self.headers.get("content-type", ""))
            self._files = {}
            fields: dict[str, str] = {}
            for part in parts:
                self._files.setdefault(part.name, []).append(part)
                if not part.filename:  # no filename or filename="" (the SDK sends JSON fields that way)
                    fields[part.name] = part.text()
            self._parsed = fields
        else:
            self._parsed = _RAW

    @property
    def data(self) -> Any:
        """The parsed body: JSON value, or dict of form fields (urlencoded or multipart text fields), or None.

        Raises 415 for other content types (raw-body endpoints read ``body`` instead).
        """
        self._parse()
        if self._parsed is _RAW:
            raise UnsupportedMediaType(self.content_type)
        return self._parsed

    def json_object(self) -> dict[str, Any]:
        """The body as a dict (empty body -> {}); 400 if it is not an object."""
        data = self.data
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise BadRequest([f"Invalid data. Expected a dictionary, but got {type(data).__name__}."])
        return data

    @property
    def files(self) -> dict[str, list[UploadedFile]]:
        """Multipart parts by field name (all parts, with or without filename); {} for other bodies."""
        self._parse()
        return self._files or {}

    # -- URLs
    def url_for(self, collection: str, obj_id: int | None) -> str | None:
        if obj_id is None:
            return None
        return f"{self.base_url}/{collection}/{obj_id}"

    def absolute(self, path: str) -> str:
        return self.base_url + path


_RAW = object()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"Out of range float values are not JSON compliant: {name}")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"Out of range float values are not JSON compliant: {text}")
    return value


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0, ``[]`` is 1), computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children if isinstance(child, dict | list))
    return deepest


def parse_json(data: bytes | str) -> Any:
    """Strict JSON: ValueError (with DRF's wording where DRF has one) for invalid JSON, NaN/Infinity,
    numbers that overflow a double and nesting deeper than :data:`MAX_JSON_DEPTH`."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from None
    except UnicodeDecodeError as exc:
        raise ValueError(str(exc)) from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
    return value


def parse_bool_text(value: str, name: str) -> bool:
    low = value.strip().lower()
    if low in ("true", "1", "yes", "on"):
        return True
    if low in ("false", "0", "no", "off"):
        return False
    raise BadRequest({name: ["Must be a valid boolean."]})


# ------------------------------------------------------------------------------------------ multipart


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split ``form-data; name="a"; filename="b.pdf"`` into ("form-data", {"name": "a", "filename": "b.pdf"})."""
    parts = _split_params(value)
    main = parts[0].strip().lower() if parts else ""
    params: dict[str, str] = {}
    for item in parts[1:]:
        if "=" not in item:
            continue
        key, val = item.split("=", 1)
        key = key.strip().lower()
        val = val.strip()
        if key.endswith("*"):  # RFC 5987: filename*=utf-8''na%C3%AFve.pdf
            from urllib.parse import unquote

            key = key[:-1]
            if "''" in val:
                charset, _, encoded = val.partition("''")
                val = unquote(encoded, encoding=charset or "utf-8", errors="replace")
            params[key] = val
            continue
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        params.setdefault(key, val)
    return main, params


def _split_params(value: str) -> list[str]:
    """Split on ';' outside double quotes."""
    out: list[str] = []
    buf: list[str] = []
    quoted = False
    prev = ""
    for ch in value:
        if ch == '"' and prev != "\\":
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        prev = ch
    out.append("".join(buf))
    return out


def parse_multipart(body: bytes, content_type_header: str) -> list[UploadedFile]:
    """Parse a multipart/form-data body (RFC 7578). 400 on a malformed body or missing boundary."""
    _, params = _header_params(content_type_header)
    boundary = params.get("boundary")
    if not boundary:
        raise BadRequest("Multipart form parse error - Invalid boundary in multipart: None")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise BadRequest("Multipart form parse error - Invalid boundary in multipart or missing closing boundary.")
    parts: list[UploadedFile] = []
    for chunk in chunks[1:-1]:
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        elif chunk.endswith(b"\n"):
            chunk = chunk[:-1]
        sep = chunk.find(b"\r\n\r\n")
        sep_len = 4
        if sep < 0:
            sep = chunk.find(b"\n\n")
            sep_len = 2
        if sep < 0:
            raise BadRequest("Multipart form parse error - part without headers.")
        raw_headers = chunk[:sep].decode("utf-8", errors="replace")
        data = chunk[sep + sep_len :]
        headers: dict[str, str] = {}
        for line in raw_headers.splitlines():
            if ":" in line:
                key, val = line.split(":", 1)
                headers[key.strip().lower()] = val.strip()
        disposition, dparams = _header_params(headers.get("content-disposition", ""))
        if disposition != "form-data" or "name" not in dparams:
            raise BadRequest("Multipart form parse error - part without Content-Disposition: form-data; name=...")
        parts.append(
            UploadedFile(
                name=dparams["name"],
                filename=dparams.get("filename"),
                content_type=headers.get("content-type"),
                data=data,
                headers=headers,
            )
        )
    return parts
