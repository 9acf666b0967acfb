"""Route registration: ``@route("GET", "/queues/{id}")`` on a handler ``def h(req: Request) -> Response | Any``.

Placeholders: ``{name}`` matches ASCII digits and is passed as int (a number beyond SQLite's INTEGER range
names no object: 404); ``{name:str}`` matches one path segment (str); ``{name:path}`` matches the rest of
the path. A trailing slash on the request path is ignored.
Handlers return a :class:`Response`, or any JSON-able value (sent with status 200), or None (204).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rossum_iac.emulator.http import MethodNotAllowed, NotFound, Request, Response
from rossum_iac.emulator.store import SQLITE_MAX_INT

Handler = Callable[[Request], Any]

_PLACEHOLDER = re.compile(r"\{(\w+)(?::(int|str|path))?\}")
_KIND_RE = {"int": r"[0-9]+", "str": r"[^/]+", "path": r".+"}


@dataclass
class Route:
    method: str
    pattern: str
    regex: re.Pattern[str]
    converters: dict[str, str]
    handler: Handler
    auth: bool
    static_len: int  # length of the literal part, to prefer more specific routes


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self._static: dict[str, dict[str, Route]] = {}

    def add(self, method: str, pattern: str, handler: Handler, *, auth: bool = True) -> None:
        method = method.upper()
        pattern = "/" + pattern.strip("/")
        converters: dict[str, str] = {}
        regex_parts: list[str] = []
        pos = 0
        static_len = 0
        for m in _PLACEHOLDER.finditer(pattern):
            literal = pattern[pos : m.start()]
            static_len += len(literal)
            regex_parts.append(re.escape(literal))
            kind = m.group(2) or "int"
            converters[m.group(1)] = kind
            regex_parts.append(f"(?P<{m.group(1)}>{_KIND_RE[kind]})")
            pos = m.end()
        regex_parts.append(re.escape(pattern[pos:]))
        static_len += len(pattern) - pos
        route = Route(
            method, pattern, re.compile("^" + "".join(regex_parts) + "$"), converters, handler, auth, static_len
        )
        for existing in self.routes:
            if existing.method == method and existing.pattern == pattern:
                raise ValueError(f"route {method} {pattern} registered twice")
        self.routes.append(route)
        if not converters:
            self._static.setdefault(pattern, {})[method] = route
        # most specific first: more literal characters win ("/hooks/logs" before "/hooks/{id:str}")
        self.routes.sort(key=lambda r: (-r.static_len, r.pattern))

    def remove(self, method: str, pattern: str) -> None:
        """Unregister a route (tests that add temporary routes clean up with this)."""
        method = method.upper()
        pattern = "/" + pattern.strip("/")
        self.routes = [r for r in self.routes if not (r.method == method and r.pattern == pattern)]
        self._static.get(pattern, {}).pop(method, None)

    def route(self, method: str, pattern: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        def decorator(func: Handler) -> Handler:
            self.add(method, pattern, func, auth=auth)
            return func

        return decorator

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, Any]]:
        """Find the route for ``method path``; 404 if no pattern matches the path, 405 if only other methods do."""
        path = "/" + path.strip("/") if path not in ("", "/") else "/"
        static = self._static.get(path)
        if static is not None and method in static:
            return static[method], {}
        allowed: list[str] = []
        for route in self.routes:
            m = route.regex.match(path)
            if m is None:
                continue
            if route.method != method:
                allowed.append(route.method)
                continue
            params: dict[str, Any] = {}
            for name, value in m.groupdict().items():
                if route.converters[name] == "int":
                    number = int(value) if len(value.lstrip("0")) <= 19 else SQLITE_MAX_INT + 1
                    if number > SQLITE_MAX_INT:
                        raise NotFound()
                    params[name] = number
                else:
                    params[name] = value
            return route, params
        if allowed:
            raise MethodNotAllowed(method, allowed)
        raise NotFound()


ROUTER = Router()
"""The process-wide router; resource modules register on import (see ``resources/__init__.py``)."""


def route(method: str, pattern: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
    """Register a handler on the global router. ``auth=False`` for endpoints reachable without a token."""
    return ROUTER.route(method, pattern, auth=auth)


def to_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(204, None)
    return Response(200, result)
