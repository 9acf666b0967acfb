"""HTTP transport under ``AsyncRossumAPIClient``: auth, retries, pagination, streaming, a bound on concurrency.

This file is the source of truth for both flavours: ``tools/unasync.py`` generates ``_sync/transport.py``
(``SyncTransport``) from it. Decisions live in ``rossum_iac.client._core`` (pure); this class only does I/O.

Behaviour (deliberate differences from the public SDK carry its bug ids, see docs/sdk-conformance.md 5.1):

* Auth: ``Authorization: Bearer <token>`` on every request but the login. ``Token`` credentials never log in;
  ``UserCredentials`` log in lazily (``POST auth/login``, form body) and, on a 401, log in once more and replay
  the request once. Concurrent 401s share one login (a lock plus a token generation counter, K5); a second 401
  for the same request is raised (K6). Streams follow the same rules (K2).
* Retries: see ``_core/retry.py``; ``n_retries`` counts attempts. POST/PATCH are retried only where the request
  was provably not processed (K7). Backoff is capped and ``Retry-After`` honoured (K8). A re-login replay is not
  counted as an attempt.
* Pacing: every HTTP exchange (logins, pages, retries too) first waits for its turn under one ``Pacer`` shared by
  the whole transport (``_core/pacing.py``): ``requests_per_second`` (default 10, the documented API limit;
  ``0``/``None``: no pacing) with a small burst. A 429 is a signal, not a failure: the pacer slows down (and
  pauses for ``Retry-After``), the request waits ``Retry-After`` plus jitter and is retried -- any method, since
  the server did nothing -- for up to ``throttle_timeout`` seconds after its first 429, using up no attempt.
* Concurrency: every HTTP exchange holds one of ``max_in_flight_requests`` permits (pages, uploads, sideloads,
  logins alike) while it waits for its turn and while it runs; backoff sleeps do not. A stream holds its permit
  until the response headers arrive, so a consumer can make other requests while iterating a body without
  dead-locking a small bound.
* Errors: non-2xx (3xx too) -> ``APIClientError`` with the body text (invalid UTF-8 replaced, K17); network
  failures -> ``APITransportError`` (K10). Tokens and passwords are never in messages or logs.
* ``paginate``/``cursor_paginate``/``stream`` return generators: call ``aclose()`` on one you stop early, so
  prefetched pages and open responses are released at once instead of at garbage collection.
* ``timeout=None`` means ``DEFAULT_TIMEOUT`` (finite, K21). An ``http_client`` passed in is used as-is and not
  closed by ``aclose()``; ``timeout`` is then applied per request if given.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import httpx

from rossum_iac import __version__
from rossum_iac.client._async import _concurrency
from rossum_iac.client._core import pagination as _pagination
from rossum_iac.client._core.pacing import DEFAULT_REQUESTS_PER_SECOND, Pacer, check_rate
from rossum_iac.client._core.responses import body_text, describe_exception, parse_json_body, redact
from rossum_iac.client._core.retry import DEFAULT_THROTTLE_TIMEOUT, RetryPolicy, is_idempotent, retry_after
from rossum_iac.client._core.urls import join_url, normalize_base_url
from rossum_iac.client.credentials import Token, UserCredentials
from rossum_iac.client.errors import APIClientError, APIThrottledError, APITransportError

logger = logging.getLogger("rossum_iac.client")

#: Used when ``timeout=None``: a stalled server fails the request instead of hanging forever (K21).
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
USER_AGENT = f"rossum-iac/{__version__}"
#: Requests in flight at once (the SDK: 4 pages of one listing, nothing else bounded). With pacing doing the
#: politeness, the bound only caps concurrency: 16 keeps 10 requests/s going up to 1.6 s of latency, and stays
#: within httpx's 20 keep-alive connections, so every permit reuses a pooled connection.
DEFAULT_MAX_IN_FLIGHT_REQUESTS = 16
LOGIN_PATH = "auth/login"

T = TypeVar("T")


class _Throttle:
    """The 429s of one request: how many, since when (``Pacer`` clock), and the seconds waited after them."""

    __slots__ = ("count", "since", "waited")

    def __init__(self) -> None:
        self.count = 0
        self.since: float | None = None
        self.waited = 0.0


class AsyncTransport:
    """One connection pool, one token, one bound on in-flight requests; see the module docstring."""

    def __init__(
        self,
        base_url: str,
        credentials: Token | UserCredentials,
        *,
        timeout: float | httpx.Timeout | None = None,
        n_retries: int = 3,
        retry_backoff_factor: float = 1.0,
        retry_max_jitter: float = 1.0,
        max_in_flight_requests: int = DEFAULT_MAX_IN_FLIGHT_REQUESTS,
        response_post_processor: Callable[[httpx.Response], Any] | None = None,
        http_client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
        requests_per_second: float | None = DEFAULT_REQUESTS_PER_SECOND,
        throttle_timeout: float = DEFAULT_THROTTLE_TIMEOUT,
    ) -> None:
        if not isinstance(credentials, Token | UserCredentials):
            raise TypeError(f"credentials must be Token or UserCredentials, got {type(credentials).__name__}")
        if not isinstance(max_in_flight_requests, int) or max_in_flight_requests < 1:
            raise ValueError(f"max_in_flight_requests must be an integer >= 1, got {max_in_flight_requests!r}")
        self.base_url = normalize_base_url(base_url)
        self._credentials = credentials
        # (token, generation) replaced as one tuple, so a reader never pairs a token with another generation.
        self._auth: tuple[str | None, int] = (credentials.token if isinstance(credentials, Token) else None, 0)
        self._retry = RetryPolicy(
            attempts=n_retries,
            backoff_factor=retry_backoff_factor,
            max_jitter=retry_max_jitter,
            throttle_timeout=throttle_timeout,
        )
        rate = check_rate(requests_per_second)
        self.requests_per_second = rate
        self._pacer = _concurrency.AsyncRateLimiter(None if rate is None else Pacer(rate, clock=_concurrency.monotonic))
        self._max_in_flight = max_in_flight_requests
        self._in_flight = _concurrency.AsyncSemaphore(max_in_flight_requests)
        self._auth_lock = _concurrency.AsyncLock()
        self._post_processor = response_post_processor
        self._headers = httpx.Headers({"User-Agent": USER_AGENT})
        self._headers.update(headers or {})
        self._owns_client = http_client is None
        self._request_options: dict[str, Any] = {}
        if http_client is None:
            http_client = httpx.AsyncClient(timeout=DEFAULT_TIMEOUT if timeout is None else timeout)
        elif timeout is not None:
            self._request_options["timeout"] = timeout
        self._client = http_client

    # -- auth ---------------------------------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        """The current token (``None`` until the first login with ``UserCredentials``)."""
        return self._auth[0]

    @property
    def _can_login(self) -> bool:
        return isinstance(self._credentials, UserCredentials)

    def _secrets(self) -> tuple[str | None, ...]:
        password = self._credentials.password if isinstance(self._credentials, UserCredentials) else None
        return (self._auth[0], password)

    def replace_credentials(self, credentials: UserCredentials) -> None:
        """Log in with ``credentials`` from now on (e.g. after a password change); the current token is kept.

        Only for a transport created with ``UserCredentials``: one created with a ``Token`` never logs in.
        """
        if not isinstance(credentials, UserCredentials):
            raise TypeError(f"credentials must be UserCredentials, got {type(credentials).__name__}")
        if not self._can_login:
            raise ValueError("replace_credentials() needs a transport created with UserCredentials, not a Token")
        self._credentials = credentials

    async def authenticate(self) -> None:
        """Log in now (``POST auth/login``), replacing the current token."""
        if not self._can_login:
            raise ValueError("authenticate() needs UserCredentials; a transport created with a Token never logs in")
        async with self._auth_lock:
            await self._login()

    async def get_token(self, refresh: bool = False) -> str:
        """The current token; logs in first if there is none yet or ``refresh`` is set (``UserCredentials``)."""
        if refresh and self._can_login:
            await self.authenticate()
        token, _ = await self._current_token()
        return token

    async def _current_token(self) -> tuple[str, int]:
        """Token and its generation, logging in lazily (once, even for many concurrent first requests)."""
        if self._auth[0] is None:
            async with self._auth_lock:
                if self._auth[0] is None:
                    await self._login()
        token, generation = self._auth
        if token is None:  # pragma: no cover - _login either sets a token or raises
            raise RuntimeError("login did not produce a token")
        return token, generation

    async def _refresh_token(self, failed_generation: int) -> None:
        """Single-flight re-login: only the first request that failed with token ``failed_generation`` logs in;
        the others find a newer generation and reuse its token."""
        async with self._auth_lock:
            if self._auth[1] == failed_generation:
                logger.debug("token rejected (401): logging in again")
                await self._login()

    async def _login(self) -> None:
        """``POST auth/login``; callers hold ``_auth_lock``. Retried like an idempotent request."""
        credentials = self._credentials
        if not isinstance(credentials, UserCredentials):  # pragma: no cover - guarded by callers
            raise ValueError("cannot log in without UserCredentials")
        url = join_url(self.base_url, LOGIN_PATH)
        response = await self._send(
            "POST",
            url,
            data={"username": credentials.username, "password": credentials.password},
            authenticated=False,
            idempotent=True,
        )
        try:
            key = parse_json_body(response.content)["key"]
        except (ValueError, KeyError, TypeError):
            key = None
        if not isinstance(key, str) or not key:
            raise APIClientError("POST", url, response.status_code, "login response has no token ('key')")
        self._auth = (key, self._auth[1] + 1)
        logger.debug("logged in as %s", credentials.username)

    # -- requests -----------------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request (``url`` relative to ``base_url`` or absolute) with auth and retries.

        Raises ``APIClientError`` for a non-2xx response and ``APITransportError`` when no response came.
        """
        return await self._send(
            method, join_url(self.base_url, url), params=params, json=json, data=data, files=files, headers=headers
        )

    async def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        """``request()`` and parse the JSON body; an empty body (e.g. 204) gives ``{}``."""
        full_url = join_url(self.base_url, url)
        response = await self._send(method, full_url, **kwargs)
        return self._json(method.upper(), full_url, response)

    def _json(self, method: str, url: str, response: httpx.Response) -> Any:
        try:
            return parse_json_body(response.content)
        except ValueError:
            raise APIClientError(
                method, url, response.status_code, f"response is not JSON: {body_text(response.content[:200])}"
            ) from None

    def _build_headers(self, extra: Mapping[str, str] | None, token: str | None) -> httpx.Headers:
        headers = self._headers.copy()
        if extra:
            headers.update(extra)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _after_response(self, method: str, url: str, response: httpx.Response, attempt: int) -> None:
        logger.debug("%s %s -> %s (attempt %d/%d)", method, url, response.status_code, attempt, self._retry.attempts)
        if self._post_processor is not None:
            self._post_processor(response)

    def _status_error(self, method: str, url: str, response: httpx.Response) -> APIClientError:
        return APIClientError(method, url, response.status_code, self._error_body(response))

    def _error_body(self, response: httpx.Response) -> str:
        try:
            text = body_text(response.content)
        except httpx.ResponseNotRead:  # a streamed error body that failed to arrive
            text = ""
        return redact(text, self._secrets())

    def _transport_error(self, method: str, url: str, exc: BaseException, prefix: str = "") -> APITransportError:
        return APITransportError(method, url, prefix + redact(describe_exception(exc), self._secrets()))

    async def _wait(self, method: str, url: str, wait: float, attempt: int, reason: str) -> None:
        logger.debug(
            "%s %s failed (%s), retrying in %.2fs (attempt %d/%d)",
            method,
            url,
            reason,
            wait,
            attempt,
            self._retry.attempts,
        )
        await _concurrency.sleep(wait)

    async def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """The retry loop of a buffered request to an absolute ``url``."""
        method = method.upper()
        idem = is_idempotent(method) if idempotent is None else idempotent
        query = _pagination.encode_params(params) or None
        attempt = 0
        replayed = False
        throttle = _Throttle()
        while True:
            attempt += 1
            token, generation = await self._current_token() if authenticated else (None, 0)
            request_headers = self._build_headers(headers, token)
            try:
                async with self._in_flight:
                    await self._pacer.wait()
                    sent_at = self._pacer.now()
                    response = await self._client.request(
                        method,
                        url,
                        params=query,
                        json=json,
                        data=data,
                        files=files,
                        headers=request_headers,
                        **self._request_options,
                    )
            except httpx.RequestError as exc:
                wait = self._retry.wait_after_exception(method, exc, attempt, idempotent=idem)
                if wait is None:
                    raise self._transport_error(method, url, exc) from None
                await self._wait(method, url, wait, attempt, type(exc).__name__)
                continue
            self._after_response(method, url, response, attempt)
            if response.status_code == 429:
                attempt -= 1  # a 429 uses time from throttle_timeout, not an attempt
                await self._throttled(method, url, response, sent_at, throttle)
                continue
            self._pacer.succeeded()
            if response.status_code == 401 and authenticated and self._can_login and not replayed:
                replayed = True
                attempt -= 1  # the replay with a fresh token is not a retry
                await self._refresh_token(generation)
                continue
            if response.is_success:
                return response
            wait = self._retry.wait_after_status(
                method, response.status_code, response.headers, attempt, idempotent=idem
            )
            if wait is None:
                raise self._status_error(method, url, response)
            await self._wait(method, url, wait, attempt, f"HTTP {response.status_code}")

    async def _throttled(
        self, method: str, url: str, response: httpx.Response, sent_at: float, throttle: _Throttle
    ) -> None:
        """A 429: slow the shared pacer down, then wait (``Retry-After`` plus jitter) or raise once the request
        has been throttled for longer than ``throttle_timeout``."""
        after = retry_after(response.headers)
        self._pacer.throttled(sent_at, after)
        now = self._pacer.now()
        if throttle.since is None:
            throttle.since = now
        throttle.count += 1
        # The clock decides; the waits already slept are a floor, so a clock that does not move (a test's fake
        # sleep) cannot retry forever.
        elapsed = max(now - throttle.since, throttle.waited)
        wait = self._retry.wait_after_throttle(response.headers, throttle.count, elapsed)
        if wait is None:
            raise APIThrottledError(
                method,
                url,
                self._error_body(response),
                throttled=throttle.count,
                seconds=elapsed,
                timeout=self._retry.throttle_timeout,
            )
        logger.debug("%s %s throttled (HTTP 429), retrying in %.2fs (429 number %d)", method, url, wait, throttle.count)
        throttle.waited += wait
        await _concurrency.sleep(wait)

    # -- pagination ---------------------------------------------------------------------------------------

    async def _request_page(self, method: str, url: str, params: Mapping[str, Any] | None, json: Any) -> dict[str, Any]:
        response = await self._send(method, url, params=params, json=json)
        body = self._json(method.upper(), url, response)
        if not isinstance(body, dict):
            raise APIClientError(
                method.upper(), url, response.status_code, f"expected a JSON object, got {type(body).__name__}"
            )
        return body

    async def _fetch_page(
        self, method: str, url: str, first_params: Mapping[str, Any], json: Any, page: int
    ) -> dict[str, Any]:
        return await self._request_page(method, url, _pagination.page_params(first_params, page), json)

    async def paginate(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        method: str = "GET",
        json: Any = None,
        max_pages: int | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Yield each page's JSON body in page order (page-number pagination).

        The first page is requested with ``params`` plus ``page_size=100`` and ``include_total=true`` unless set;
        a ``page`` in ``params`` is the page to start at (K13). The number of pages comes from
        ``pagination.total_pages`` (else ``pagination.next`` is followed page by page); ``max_pages`` caps the
        pages yielded (0/None = all). Later pages are fetched ahead of the consumer, at most
        ``max_in_flight_requests`` of them; stopping early cancels those (K11). A body without ``pagination``
        (e.g. ``hooks/logs``) is yielded alone.
        """
        full_url = join_url(self.base_url, url)
        first_params = _pagination.first_page_params(params)
        start = _pagination.start_page(first_params)
        body = await self._request_page(method, full_url, first_params, json)
        yield body
        if not _pagination.is_paginated(body):
            return
        fetch = functools.partial(self._fetch_page, method, full_url, first_params, json)
        total = _pagination.total_pages(body)
        if total is None:
            page = start
            while _pagination.has_next_page(body) and not (max_pages and page - start + 1 >= max_pages):
                page += 1
                body = await fetch(page)
                yield body
            return
        factories = (functools.partial(fetch, page) for page in _pagination.remaining_pages(start, total, max_pages))
        async with _concurrency.AsyncPrefetcher(factories, self._max_in_flight) as pages:
            async for body in pages:
                yield body

    async def cursor_paginate(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        method: str = "GET",
        json: Any = None,
        max_pages: int | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Yield each page's JSON body, following the top-level ``next`` URL verbatim (conformance P8).

        Only the first request carries ``params``; the JSON body is re-sent with every page (POST searches).
        """
        next_url: str | None = join_url(self.base_url, url)
        page_params = params
        pages = 0
        while next_url is not None:
            body = await self._request_page(method, next_url, page_params, json)
            pages += 1
            yield body
            if max_pages and pages >= max_pages:
                return
            next_url = _pagination.next_cursor_url(body)
            page_params = None

    # -- streaming ----------------------------------------------------------------------------------------

    async def stream(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> AsyncGenerator[bytes, None]:
        """Yield the response body in chunks (exports). Failures before the first byte are retried like any
        request; a failure after bytes were yielded raises ``APITransportError`` and is never retried (K3)."""
        method = method.upper()
        full_url = join_url(self.base_url, url)
        idem = is_idempotent(method)
        query = _pagination.encode_params(params) or None
        attempt = 0
        replayed = False
        throttle = _Throttle()
        while True:
            attempt += 1
            token, generation = await self._current_token()
            request = self._client.build_request(
                method,
                full_url,
                params=query,
                json=json,
                headers=self._build_headers(None, token),
                **self._request_options,
            )
            try:
                async with self._in_flight:
                    await self._pacer.wait()
                    sent_at = self._pacer.now()
                    response = await self._client.send(request, stream=True)
            except httpx.RequestError as exc:
                wait = self._retry.wait_after_exception(method, exc, attempt, idempotent=idem)
                if wait is None:
                    raise self._transport_error(method, full_url, exc) from None
                await self._wait(method, full_url, wait, attempt, type(exc).__name__)
                continue
            wait = None
            reason = ""
            throttled = False
            try:
                self._after_response(method, full_url, response, attempt)
                if response.status_code != 429:
                    self._pacer.succeeded()
                if response.status_code == 429:
                    throttled = True
                    with contextlib.suppress(httpx.RequestError):
                        await response.aread()
                elif response.status_code == 401 and self._can_login and not replayed:
                    replayed = True
                    attempt -= 1
                elif not response.is_success:
                    with contextlib.suppress(httpx.RequestError):  # the status decides; the body is best-effort
                        await response.aread()
                    wait = self._retry.wait_after_status(
                        method, response.status_code, response.headers, attempt, idempotent=idem
                    )
                    if wait is None:
                        raise self._status_error(method, full_url, response)
                    reason = f"HTTP {response.status_code}"
                else:
                    delivered = False
                    try:
                        async for chunk in response.aiter_bytes():
                            if chunk:
                                delivered = True
                                yield chunk
                    except httpx.RequestError as exc:
                        if delivered:
                            raise self._transport_error(
                                method, full_url, exc, "stream interrupted after data was delivered: "
                            ) from None
                        wait = self._retry.wait_after_exception(method, exc, attempt, idempotent=idem)
                        if wait is None:
                            raise self._transport_error(method, full_url, exc) from None
                        reason = type(exc).__name__
                    else:
                        return
            finally:
                await response.aclose()
            if throttled:
                attempt -= 1
                await self._throttled(method, full_url, response, sent_at, throttle)
            elif wait is None:  # 401 with credentials: log in again, replay once
                await self._refresh_token(generation)
            else:
                await self._wait(method, full_url, wait, attempt, reason)

    # -- concurrency and lifecycle ------------------------------------------------------------------------

    async def run_concurrently(self, factories: Sequence[_concurrency.Factory[T]]) -> list[T]:
        """Run the calls concurrently (each request still bounded by ``max_in_flight_requests``); results in
        input order. The first failure cancels the others and is raised (TaskGroup semantics, K12)."""
        return await _concurrency.run_concurrently(factories)

    async def aclose(self) -> None:
        """Close the connection pool if this transport created it."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
