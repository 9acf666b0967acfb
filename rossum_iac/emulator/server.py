"""The HTTP side: a ThreadingHTTPServer (HTTP/1.1 keep-alive) in front of :class:`App`.

``App.handle`` is the whole request pipeline for one request:
  outside ``/api/v1`` -> 404 (no faults) ; rate limit (429 + Retry-After) ; fault decision (seeded RNG,
  decided BEFORE the handler, so a faulted request changes nothing) ; latency sleep ; route ; one SQLite
  transaction around authentication + handler (commit on success, rollback on any error or any
  response >= 400) ; request log.
Faults, latency and the rate limit apply to every API request, including ``auth/login``.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import math
import random
import socket
import sqlite3
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from rossum_iac.emulator.config import EmulatorSettings
from rossum_iac.emulator.http import PayloadTooLarge, Request, Response, Throttled
from rossum_iac.emulator.routing import ROUTER, Router, to_response
from rossum_iac.emulator.security import authenticate
from rossum_iac.emulator.store import Store

_log = logging.getLogger("rossum_iac.emulator")

API_PREFIX = "/api/v1"
JSON_MAX_BODY_BYTES = 10 * 1024 * 1024
"""Largest JSON / form body (an emulator choice: the docs only say 413 "for too large payload"; real
configuration objects are far smaller)."""
UPLOAD_MAX_BODY_BYTES = 50 * 1024 * 1024
"""Largest multipart or raw file body: the API limits uploaded files to 40 MB in total (checked by the upload
endpoints, 413), plus room for the multipart envelope and form fields."""
DRAIN_MAX_BYTES = 64 * 1024 * 1024
"""A refused body up to this size is read and discarded, so a client still sending it reads the 413; for a
larger one the 413 is sent at once and the connection closed (the client may only see the connection reset)."""

_REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 303: "See Other", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
    413: "Payload Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
}  # fmt: skip

DROPPED = 0
"""Status recorded in the request log for a dropped connection (fault kind ``drop``)."""


class RequestLog(list[tuple[str, str, int]]):
    """``(method, path_with_query, status)`` of served API requests, oldest first; bounded (oldest half
    dropped past the limit). ``path_with_query`` is the request target as received (``/api/v1/...``)."""

    def __init__(self, limit: int = 200_000) -> None:
        super().__init__()
        self.limit = limit
        self._lock = threading.Lock()

    def record(self, method: str, target: str, status: int) -> None:
        with self._lock:
            self.append((method, target, status))
            if len(self) > self.limit:
                del self[: len(self) // 2]


BUSY_RETRY_S = 0.5


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """SQLite's "database is locked"/"busy": another connection (another process on the same DB file)
    held its write lock for longer than the store's busy timeout."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def busy_response() -> Response:
    """503 + ``Retry-After`` (the API documents 503 for a temporarily unavailable service)."""
    return Response(503, {"detail": "The database is busy, try again later."}, headers={"Retry-After": "1"})


class _Rollback(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


class App:
    """Routing, auth, transactions, faults; independent of the socket layer."""

    def __init__(self, store: Store, settings: EmulatorSettings, *, seed: int = 0, router: Router = ROUTER) -> None:
        self.store = store
        self.settings = settings
        self.router = router
        self.request_log = RequestLog(settings.request_log_limit)
        self.base_url = ""  # set once the server is bound
        self.wildcard_host = False
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._window: collections.deque[float] = collections.deque()
        self._window_lock = threading.Lock()
        self._timers: set[threading.Timer] = set()
        self._timers_lock = threading.Lock()
        self.closed = False

    # ------------------------------------------------------------------ faults
    def reseed(self, seed: int) -> None:
        with self._rng_lock:
            self._rng = random.Random(seed)

    def _pick_fault(self) -> str | None:
        rate = self.settings.fault_rate
        if rate <= 0:
            return None
        with self._rng_lock:
            if self._rng.random() >= rate:
                return None
            kinds = self.settings.fault_kinds or ("500",)
            return self._rng.choice(list(kinds))

    def _throttle(self) -> Response | None:
        limit = self.settings.rate_limit
        if not limit or limit <= 0:
            return None
        now = time.monotonic()
        with self._window_lock:
            window = self._window
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                wait = max(1, math.ceil(window[0] + 1.0 - now))
                return Throttled(wait).to_response()
            window.append(now)
        return None

    @staticmethod
    def _fault_response(kind: str) -> Response:
        if kind == "429":
            return Throttled(1).to_response()
        status = int(kind)
        detail = {500: "Internal server error (injected fault).", 502: "Bad gateway (injected fault).",
                  503: "Service unavailable (injected fault)."}.get(status, "Injected fault.")  # fmt: skip
        return Response(status, {"detail": detail})

    # ---------------------------------------------------------------- pipeline
    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response | None:
        """Answer one request; None means: drop the connection without a response."""
        path, _, query = target.partition("?")
        if not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
            not_found = Response(404, {"detail": "Not found."})
            self.request_log.record(method, target, not_found.status)
            return not_found
        throttled = self._throttle()
        fault = None if throttled is not None else self._pick_fault()
        latency = self.settings.latency_ms
        if latency and latency > 0:
            time.sleep(latency / 1000.0)
        if fault == "drop":
            self.request_log.record(method, target, DROPPED)
            return None
        if throttled is not None:
            resp = throttled
        elif fault:
            resp = self._fault_response(fault)
        else:
            resp = self.run(method, path[len(API_PREFIX) :], query, headers, body)
        self.request_log.record(method, target, resp.status)
        return resp

    def base_url_for(self, headers: dict[str, str]) -> str:
        if self.wildcard_host and headers.get("host"):
            return f"http://{headers['host']}{API_PREFIX}"
        return self.base_url

    def run(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> Response:
        """Route and execute in one transaction."""
        from rossum_iac.emulator.http import ApiError

        req = Request(
            method=method, path=path or "/", query_string=query, headers=headers, body=body,
            base_url=self.base_url_for(headers), app=self,
        )  # fmt: skip
        try:
            route, params = self.router.resolve(method, req.path)
            req.path_params = params
            if self.closed:
                return Response(503, {"detail": "The emulator is shutting down."})
            with self.store.transaction() as tx:
                req._tx = tx
                if route.auth:
                    req.user, req.token = authenticate(tx, headers.get("authorization"))
                resp = to_response(route.handler(req))
                if resp.status >= 400:
                    raise _Rollback(resp)
            return resp
        except _Rollback as rb:
            return rb.response
        except ApiError as exc:
            return exc.to_response()
        except OverflowError:  # a number from the request that no check caught is too large to store or bind
            _log.debug("number out of range in %s %s", method, path, exc_info=True)
            return Response(400, {"detail": "A number in the request is out of the accepted range."})
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                return busy_response()
            traceback.print_exc(file=sys.stderr)
            return Response(500, {"detail": "Internal server error."})
        except Exception:
            if self.closed:  # the store was closed under a request that was still sleeping (latency)
                return Response(503, {"detail": "The emulator is shutting down."})
            traceback.print_exc(file=sys.stderr)
            return Response(500, {"detail": "Internal server error."})
        finally:
            req._tx = None

    # ----------------------------------------------------------- background
    def call_later(self, delay_s: float, func: Callable[[Request], Any]) -> None:
        """Run ``func(req)`` after ``delay_s`` in its own transaction (``req`` has ``tx``, ``base_url``,
        ``app``; ``user`` None). Errors roll back and are printed to stderr. Cancelled by ``close()``."""

        def fire() -> None:
            with self._timers_lock:
                self._timers.discard(timer)
            if self.closed:
                return
            req = Request(method="TASK", path="", base_url=self.base_url, app=self)
            try:
                with self.store.transaction() as tx:
                    req._tx = tx
                    func(req)
            except sqlite3.OperationalError as exc:
                if is_busy(exc):  # another process holds the DB file: try again a little later
                    self.call_later(BUSY_RETRY_S, func)
                elif not self.closed:
                    traceback.print_exc(file=sys.stderr)
            except Exception:
                if not self.closed:
                    traceback.print_exc(file=sys.stderr)

        timer = threading.Timer(max(0.0, delay_s), fire)
        timer.daemon = True
        with self._timers_lock:
            if self.closed:
                return
            self._timers.add(timer)
        timer.start()

    def close(self) -> None:
        self.closed = True
        with self._timers_lock:
            timers = list(self._timers)
            self._timers.clear()
        for timer in timers:
            timer.cancel()


# ------------------------------------------------------------------------------------- socket layer


class _BodyTooLarge(Exception):
    pass


class _BadFraming(Exception):
    pass


def body_limit(headers: dict[str, str]) -> int:
    """JSON and form bodies: :data:`JSON_MAX_BODY_BYTES`; file bodies (multipart, raw uploads):
    :data:`UPLOAD_MAX_BODY_BYTES`."""
    ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    is_data = ctype in ("", "application/json", "application/x-www-form-urlencoded") or ctype.endswith("+json")
    if is_data and "attachment" not in headers.get("content-disposition", "").lower():
        return JSON_MAX_BODY_BYTES
    return UPLOAD_MAX_BODY_BYTES


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "RossumEmulator/1.0"
    timeout = 300  # idle keep-alive connections are closed after this
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """http.server's own messages (malformed request lines it answers itself): only with ``verbose``."""
        if self.server.verbose:
            self.server.log_line(f"{self.address_string()} - {format % args}")

    def __getattr__(self, name: str) -> Any:
        """Every method name reaches the router (``FOO /api/v1/queues`` -> 405 with ``Allow``, like Django),
        instead of http.server's HTML 501 page."""
        if name.startswith("do_") and name[3:].isalpha() and name[3:].isupper():
            return self._handle
        raise AttributeError(name)

    def _read_body(self, limit: int) -> bytes:
        """The request body; :class:`_BodyTooLarge` above ``limit`` (after reading and discarding it, up to
        :data:`DRAIN_MAX_BYTES`), :class:`_BadFraming` for an invalid ``Content-Length`` or chunk size."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                except ValueError:
                    raise _BadFraming("Invalid chunk size.") from None
                if size < 0:
                    raise _BadFraming("Invalid chunk size.")
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > DRAIN_MAX_BYTES:
                    raise _BodyTooLarge()
                data = self.rfile.read(size)
                if total <= limit:
                    chunks.append(data)
                self.rfile.readline(3)
            if total > limit:
                raise _BodyTooLarge()
            return b"".join(chunks)
        raw = (self.headers.get("Content-Length") or "0").strip()
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise _BadFraming("Invalid Content-Length header.")
        length = int(raw)
        if length > limit:
            if length <= DRAIN_MAX_BYTES:
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            raise _BodyTooLarge()
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        app = self.server.app
        started = time.perf_counter()
        headers = {k.lower(): v for k, v in self.headers.items()}
        resp: Response | None
        try:
            body = self._read_body(body_limit(headers))
        except _BodyTooLarge:
            self.close_connection = True
            resp = PayloadTooLarge().to_response()
            app.request_log.record(self.command, self.path, resp.status)
        except _BadFraming as exc:
            self.close_connection = True
            resp = Response(400, {"detail": str(exc)})
            app.request_log.record(self.command, self.path, resp.status)
        except (ValueError, OSError):
            self.close_connection = True
            self._log_request(DROPPED, started)
            return
        else:
            resp = app.handle(self.command, self.path, headers, body)
        if resp is None:  # injected fault: drop the connection without answering
            self.close_connection = True
            self._log_request(DROPPED, started)  # first: once the client sees the drop, the line is out
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if resp.stream is not None:
            self._write_stream(resp)
            self._log_request(resp.status, started)
            return
        payload = resp.encode()
        lines = [f"HTTP/1.1 {resp.status} {_REASONS.get(resp.status, 'Unknown')}"]
        if resp.body is not None:
            lines.append(f"Content-Type: {resp.content_type}")
        lines.append(f"Content-Length: {len(payload)}")
        for key, value in resp.headers.items():
            lines.append(f"{key}: {value}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self._log_request(resp.status, started)  # before sending: once the client has its answer, the line is out
        try:
            self.wfile.write(head + payload if self.command != "HEAD" else head)
        except OSError:
            self.close_connection = True

    def _log_request(self, status: int, started: float) -> None:
        """With ``verbose``: one line per request on stderr (method, path, status, duration); no headers,
        no bodies (they may hold credentials)."""
        if self.server.verbose:
            shown = "dropped" if status == DROPPED else str(status)
            elapsed_ms = (time.perf_counter() - started) * 1000
            self.server.log_line(f"{self.client_address[0]} {self.command} {self.path} {shown} {elapsed_ms:.1f}ms")

    def _write_stream(self, resp: Response) -> None:
        """Send ``resp.stream`` with chunked transfer encoding; an error mid-stream closes the connection
        (the client sees a truncated body, as with a real server failing mid-response)."""
        assert resp.stream is not None
        lines = [
            f"HTTP/1.1 {resp.status} {_REASONS.get(resp.status, 'Unknown')}",
            f"Content-Type: {resp.content_type}",
            "Transfer-Encoding: chunked",
            *(f"{key}: {value}" for key, value in resp.headers.items()),
        ]
        if self.close_connection:
            lines.append("Connection: close")
        chunks = iter(resp.stream)
        try:
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            if self.command != "HEAD":
                for chunk in chunks:
                    if chunk:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True
        except Exception as exc:
            if isinstance(exc, sqlite3.OperationalError) and is_busy(exc):
                _log.debug("export stream stopped: database busy")
            else:
                traceback.print_exc(file=sys.stderr)
            self.close_connection = True
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App, *, verbose: bool = False) -> None:
        self.app = app
        self.verbose = verbose
        self._log_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conn_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-request (e.g. after an early 401 to an upload) is routine, not an error:
        never print socketserver's traceback banner on stderr, where it would mix with the output of the
        process embedding the emulator (``--emulator``); log other failures instead."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            _log.debug("client %s went away: %r", client_address, exc)
            return
        _log.error("error while serving a request from %s", client_address, exc_info=True)

    def log_line(self, line: str) -> None:
        """One whole line on stderr (handler threads never interleave halves of lines)."""
        with self._log_lock:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def close_connections(self) -> None:
        """Close idle keep-alive connections so their handler threads end."""
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


def format_base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{API_PREFIX}"


def is_wildcard(host: str) -> bool:
    return host in ("", "0.0.0.0", "::")
