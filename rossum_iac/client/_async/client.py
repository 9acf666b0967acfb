"""``AsyncRossumAPIClient``: every public method of the public SDK's clients (rossum-api 3.17.0), same names,
parameters and defaults, plus the methods our plan/apply engine and document commands need.

This file is the only source of the client: ``tools/unasync.py`` generates ``_sync/client.py``
(``SyncRossumAPIClient``) from it. Request building, sideload embedding, multipart bodies and predicates live
in the I/O-free ``rossum_iac.client._core`` modules; HTTP, auth, retries, pagination and the in-flight bound
live in the transport (``_async/transport.py``).

Deliberate deviations from the SDK (bug ids from docs/sdk-conformance.md 5.1):

* K1/K26 - both flavours have the same methods with the same behaviour: the sync ``upload_document`` works
  (``POST uploads?queue=N`` -> task), both have ``get_token`` and the deprecated ``retrieve_my_organization``,
  both warn (``DeprecationWarning``) on ``import_document``. The sync constructor takes the retry and
  in-flight knobs too (the sync flavour runs requests one at a time).
* K4 - ``poll_annotation``, ``poll_task`` (and the helpers built on them) take a keyword ``timeout`` (seconds,
  default ``None`` = no limit) and raise ``PollingTimeoutError`` past it; ``poll_task`` raises
  ``TaskFailedError`` when the task ends ``failed`` and the predicate did not accept it.
* K12 - ``import_document``/``upload_document`` upload through ``transport.run_concurrently``: bounded by
  ``max_in_flight_requests``, the first failure cancels the other uploads. Missing files fail before any upload.
* K14 - sideload embedding never crashes: missing sideload lists or unknown ids leave the URL in place; the
  ``queues`` sideload embeds a ``Queue``. ``retrieve_annotation`` fetches any sideload whose field holds a URL.
* K16 - export ``columns``/``prepend_columns``/``append_columns`` accept a string or a sequence.
* K19 - ``retrieve_engine_fields()`` without an id sends no ``engine`` filter.
* K20 - ``request_paginated``/``request_cursor_paginated`` read positional arguments in one order in both
  flavours (``ordering, sideloads, content_schema_ids, method, max_pages, json``); keywords are preferred.
* K22/K23 - models are lenient pydantic models (unknown keys kept, enum-like fields are strings);
  schema nodes know their ``parent``.
* K24 - every typed method, organization limits included, goes through the deserializer.
* K25 - ``search_for_annotations`` takes ``content_schema_ids`` (keyword) and follows the search's
  ``pagination.next`` (``search_after`` cursor) with the same body instead of page numbers (no 10 000 cap).
* K27 - both clients have ``close()`` and are context managers (``async with`` for the async one, which also
  has the asyncio-style alias of ``close``).
* Pacing and throttling (the SDK has neither): ``requests_per_second`` (default 10, the documented API limit;
  ``0``/``None`` off) paces every request of the client; a 429 slows the pace and is retried, any method, for up
  to ``throttle_timeout`` seconds (default 300) instead of counting attempts; ``APIThrottledError`` past that.
  ``max_in_flight_requests`` bounds every request of the client (the SDK: only the pages of one listing), so its
  default is 16, not 4: pacing does the politeness, and a bound of 4 made 200 concurrent retrieves slower than the
  SDK's unbounded ones.
* ``change_user_password(new_password, *, old_password=None)`` and ``reset_user_password(email)`` are real
  (SDK: ``NotImplementedError``); the old password defaults to the client's ``UserCredentials`` password.
* ``delete_queue(queue_id, *, delete_after=None)`` can pass the API's ``delete_after`` (e.g. ``"0"``: now).
* Extra methods (consistent names): ``update_*``/``update_part_*`` (PUT/PATCH) and ``delete_*`` for workspaces,
  queues, schemas, connectors, inboxes, email templates, users, rules and hooks; ``list_inboxes``,
  ``retrieve_inbox``, ``list_documents``, ``retrieve_annotation_content``, ``postpone_annotation``,
  ``retrieve_current_user``, ``update_part_organization``.
* Return types are this package's models (the SDK's ``...WithDefaultDeserializer`` aliases); with a custom
  ``deserializer`` the methods return whatever it returns.
"""

from __future__ import annotations

import functools
import time
import warnings
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from rossum_iac.client._async import _concurrency
from rossum_iac.client._async.transport import DEFAULT_MAX_IN_FLIGHT_REQUESTS, AsyncTransport
from rossum_iac.client._core import multipart, pagination
from rossum_iac.client._core import requests as _requests
from rossum_iac.client._core import sideloads as _sideloads
from rossum_iac.client._core.pacing import DEFAULT_REQUESTS_PER_SECOND
from rossum_iac.client._core.requests import ExportFileFormats
from rossum_iac.client._core.retry import DEFAULT_THROTTLE_TIMEOUT
from rossum_iac.client.credentials import Token, UserCredentials
from rossum_iac.client.errors import PollingTimeoutError, TaskFailedError
from rossum_iac.client.resources import Resource

if TYPE_CHECKING:  # the models are imported when first used (_deserialize_default)
    from rossum_iac.client.models import (
        Annotation,
        AnnotationProcessingDuration,
        AutomationProjections,
        AutomationStats,
        AutomationTarget,
        Connector,
        DatapointAutomationTarget,
        Deserializer,
        Document,
        DocumentRelation,
        Email,
        EmailTemplate,
        Engine,
        EngineField,
        FieldErrorRateLimit,
        Group,
        Hook,
        HookRunData,
        HookTemplate,
        Inbox,
        Organization,
        OrganizationGroup,
        OrganizationLimit,
        Queue,
        Relation,
        Rule,
        RulesExecutionLog,
        Schema,
        Task,
        Upload,
        User,
        Workspace,
    )

JsonDict = dict[str, Any]
FileSpec = tuple[str | Path, str]


def _deserialize_default(resource: Resource, payload: JsonDict) -> Any:
    """``models.deserialize_default``, with the models imported on the first call: building their pydantic classes
    takes about a tenth of a second, and a client used for plain JSON (the engine's ``request_json`` and
    ``request_paginated``) never needs them."""
    from rossum_iac.client.models import deserialize_default

    return deserialize_default(resource, payload)


def _check_files(files: Sequence[FileSpec]) -> list[tuple[Path, str]]:
    """``(path, name)`` pairs, every path an existing file (checked before anything is sent)."""
    checked = []
    for index, spec in enumerate(files):
        if isinstance(spec, str | Path) or len(spec) != 2:
            raise TypeError(f"files[{index}] must be a (path, file name) pair, got {spec!r}")
        path = Path(spec[0])
        if not path.is_file():
            raise FileNotFoundError(f"files[{index}]: no such file: {path}")
        checked.append((path, str(spec[1])))
    return checked


def _deadline(timeout: float | None) -> float | None:
    if timeout is None:
        return None
    if timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    return time.monotonic() + timeout


class AsyncRossumAPIClient:
    """Client of the Rossum API (base URL including ``/api/v1``), authenticated by a ``Token`` or by
    ``UserCredentials``. See the module docstring for the differences from the public SDK."""

    def __init__(
        self,
        base_url: str,
        credentials: UserCredentials | Token,
        *,
        deserializer: Deserializer | None = None,
        timeout: float | None = None,
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
        """``timeout=None`` means the transport's finite default; ``n_retries`` counts attempts (as the SDK);
        ``http_client`` (not closed by ``close()``) and ``headers`` (added to every request) are extras.

        ``requests_per_second`` paces every request of this client (default 10, the API's documented limit;
        ``0``/``None``: no pacing); a 429 slows the pace down and is retried for up to ``throttle_timeout``
        seconds (see the transport's module docstring)."""
        self._credentials = credentials
        self._deserializer: Deserializer = deserializer or _deserialize_default
        self._transport = AsyncTransport(
            base_url,
            credentials,
            timeout=timeout,
            n_retries=n_retries,
            retry_backoff_factor=retry_backoff_factor,
            retry_max_jitter=retry_max_jitter,
            max_in_flight_requests=max_in_flight_requests,
            response_post_processor=response_post_processor,
            http_client=http_client,
            headers=headers,
            requests_per_second=requests_per_second,
            throttle_timeout=throttle_timeout,
        )

    @property
    def base_url(self) -> str:
        """The API base URL (no trailing slash)."""
        return self._transport.base_url

    # -- lifecycle -------------------------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the connection pool (unless an own ``http_client`` was passed)."""
        await self._transport.aclose()

    aclose = close

    async def __aenter__(self) -> AsyncRossumAPIClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- building blocks -------------------------------------------------------------------------------------

    def _deserialize(self, resource: Resource, payload: JsonDict) -> Any:
        return self._deserializer(resource, payload)

    async def _get(self, resource: Resource, url: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._deserialize(resource, await self._transport.request_json("GET", url, params=params))

    async def _send_data(self, resource: Resource, method: str, url: str, data: JsonDict) -> Any:
        return self._deserialize(resource, await self._transport.request_json(method, url, json=data))

    async def _delete(self, url: str, params: Mapping[str, Any] | None = None) -> None:
        await self._transport.request("DELETE", url, params=params)

    async def _post_action(self, url: str, json: Any = None) -> None:
        await self._transport.request("POST", url, json=json)

    async def _results(
        self,
        url: str,
        params: Mapping[str, Any],
        *,
        sideloads: Sequence[str] = (),
        method: str = "GET",
        json: Any = None,
        max_pages: int | None = None,
    ) -> AsyncIterator[JsonDict]:
        """Raw result objects of every page of a page-number listing, sideloads embedded."""
        async for page in self._transport.paginate(url, params=params, method=method, json=json, max_pages=max_pages):
            for result in _sideloads.embed_sideloads(page, sideloads):
                yield result

    async def _list(
        self,
        resource: Resource,
        url: str,
        *,
        ordering: str | Sequence[str] = (),
        sideloads: str | Sequence[str] = (),
        content_schema_ids: str | Sequence[str] = (),
        filters: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[Any]:
        sideload_list = _sideloads.as_list(sideloads)
        params = pagination.list_params(
            ordering=ordering, sideloads=sideload_list, content_schema_ids=content_schema_ids, filters=filters
        )
        async for result in self._results(url, params, sideloads=sideload_list):
            yield self._deserialize(resource, result)

    async def _embed_single_sideloads(
        self,
        annotation: JsonDict,
        sideloads: str | Sequence[str],
        sideload_query_params: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        """GET each sideload URL of one annotation (concurrently) and put the objects in place."""
        plan = _sideloads.single_sideload_plan(annotation, _sideloads.as_list(sideloads), sideload_query_params)
        bodies = await self._transport.run_concurrently(
            [functools.partial(self._transport.request_json, "GET", url, params=params) for _, url, params in plan]
        )
        for (field, _, _), body in zip(plan, bodies, strict=True):
            _sideloads.apply_single_sideload(annotation, field, body)

    async def _poll_sleep(self, sleep_s: float, deadline: float | None, timeout: float | None, what: str) -> None:
        if deadline is None:
            await _concurrency.sleep(sleep_s)
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PollingTimeoutError(f"{what} did not reach the expected state within {timeout} s")
        await _concurrency.sleep(min(sleep_s, remaining))

    # -- queues ----------------------------------------------------------------------------------------------

    async def retrieve_queue(self, queue_id: int) -> Queue:
        """``GET queues/{id}``."""
        return await self._get(Resource.Queue, f"queues/{queue_id}")

    async def list_queues(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[Queue]:
        """``GET queues`` (all pages). Filters: id, name, workspace, inbox, connector, hooks, locale, deleting ..."""
        async for queue in self._list(Resource.Queue, "queues", ordering=ordering, filters=filters):
            yield queue

    async def create_new_queue(self, data: JsonDict) -> Queue:
        """``POST queues``."""
        return await self._send_data(Resource.Queue, "POST", "queues", data)

    async def update_queue(self, queue_id: int, data: JsonDict) -> Queue:
        """``PUT queues/{id}`` (full replace)."""
        return await self._send_data(Resource.Queue, "PUT", f"queues/{queue_id}", data)

    async def update_part_queue(self, queue_id: int, data: JsonDict) -> Queue:
        """``PATCH queues/{id}``."""
        return await self._send_data(Resource.Queue, "PATCH", f"queues/{queue_id}", data)

    async def delete_queue(self, queue_id: int, *, delete_after: str | None = None) -> None:
        """``DELETE queues/{id}`` - schedules the deletion of the queue and everything in it (API default: in 24 h).

        ``delete_after`` (extra keyword) is the API's delay as a duration string, e.g. ``"0"`` for immediately.
        """
        await self._delete(
            f"queues/{queue_id}", params={"delete_after": delete_after} if delete_after is not None else None
        )

    # -- documents upload ------------------------------------------------------------------------------------

    async def _import_one(self, queue_id: int, path: Path, name: str, values: Any, metadata: Any) -> list[int]:
        files = multipart.upload_files(name, path.read_bytes(), values, metadata)
        body = await self._transport.request_json("POST", f"queues/{queue_id}/upload", files=files)
        return _requests.imported_annotation_ids(body)

    async def _import_files(
        self, queue_id: int, files: Sequence[FileSpec], values: JsonDict | None, metadata: JsonDict | None
    ) -> list[int]:
        checked = _check_files(files)
        per_file = await self._transport.run_concurrently(
            [functools.partial(self._import_one, queue_id, path, name, values, metadata) for path, name in checked]
        )
        return [annotation_id for ids in per_file for annotation_id in ids]

    async def import_document(
        self,
        queue_id: int,
        files: Sequence[tuple[str | Path, str]],
        values: JsonDict | None = None,
        metadata: JsonDict | None = None,
    ) -> list[int]:
        """Deprecated (use ``upload_document``): ``POST queues/{id}/upload`` per ``(path, name)``; returns the
        created annotation ids in the order of ``files``."""
        warnings.warn(
            "import_document uses the deprecated queues/<id>/upload endpoint; use upload_document",
            DeprecationWarning,
            stacklevel=2,
        )
        return await self._import_files(queue_id, files, values, metadata)

    async def _upload_one(self, queue_id: int, path: Path, name: str, values: Any, metadata: Any) -> Task:
        files = multipart.upload_files(name, path.read_bytes(), values, metadata)
        body = await self._transport.request_json("POST", "uploads", params={"queue": queue_id}, files=files)
        return await self.retrieve_task(_requests.task_url_id(body))

    async def upload_document(
        self,
        queue_id: int,
        files: Sequence[tuple[str | Path, str]],
        values: JsonDict | None = None,
        metadata: JsonDict | None = None,
    ) -> list[Task]:
        """``POST uploads?queue={id}`` per ``(path, name)``, then ``GET`` each returned task; tasks in the order
        of ``files`` (poll them with ``poll_task_until_succeeded``)."""
        checked = _check_files(files)
        return await self._transport.run_concurrently(
            [functools.partial(self._upload_one, queue_id, path, name, values, metadata) for path, name in checked]
        )

    async def retrieve_upload(self, upload_id: int) -> Upload:
        """``GET uploads/{id}``."""
        return await self._get(Resource.Upload, f"uploads/{upload_id}")

    # -- export ----------------------------------------------------------------------------------------------

    async def export_annotations_to_json(self, queue_id: int, **filters: Any) -> AsyncIterator[Annotation]:
        """``GET queues/{id}/export?format=json`` (all pages; ``POST`` when ``to_status`` is given)."""
        params = _requests.export_json_params(filters)
        async for result in self._results(f"queues/{queue_id}/export", params, method=_requests.export_method(filters)):
            yield self._deserialize(Resource.Annotation, result)

    async def export_annotations_to_file(
        self, queue_id: int, export_format: ExportFileFormats | str, **filters: Any
    ) -> AsyncIterator[bytes]:
        """Stream ``queues/{id}/export?format=csv|xml|xlsx`` as byte chunks; ``columns`` may be a string or a
        sequence; ``POST`` when ``to_status`` is given."""
        params = _requests.export_file_params(export_format, filters)
        async for chunk in self._transport.stream(
            _requests.export_method(filters), f"queues/{queue_id}/export", params=params
        ):
            yield chunk

    # -- organizations ---------------------------------------------------------------------------------------

    async def list_organizations(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[Organization]:
        """``GET organizations``."""
        async for organization in self._list(
            Resource.Organization, "organizations", ordering=ordering, filters=filters
        ):
            yield organization

    async def retrieve_organization(self, org_id: int) -> Organization:
        """``GET organizations/{id}``."""
        return await self._get(Resource.Organization, f"organizations/{org_id}")

    async def retrieve_own_organization(self) -> Organization:
        """The current user's organization (``GET auth/user``, then ``GET organizations/{id}``)."""
        user = await self._transport.request_json("GET", "auth/user")
        return await self.retrieve_organization(_requests.organization_id(user))

    async def retrieve_my_organization(self) -> Organization:
        """Deprecated alias of ``retrieve_own_organization``."""
        warnings.warn(
            "retrieve_my_organization is deprecated; use retrieve_own_organization", DeprecationWarning, stacklevel=2
        )
        return await self.retrieve_own_organization()

    async def update_part_organization(self, org_id: int, data: JsonDict) -> Organization:
        """``PATCH organizations/{id}``."""
        return await self._send_data(Resource.Organization, "PATCH", f"organizations/{org_id}", data)

    async def retrieve_organization_limit(self, org_id: int) -> OrganizationLimit:
        """``GET organizations/{id}/limits`` (through the deserializer, K24)."""
        return await self._get(Resource.OrganizationLimit, f"organizations/{org_id}/limits")

    async def list_organization_groups(
        self, ordering: Sequence[str] = (), **filters: Any
    ) -> AsyncIterator[OrganizationGroup]:
        """``GET organization_groups``."""
        async for group in self._list(
            Resource.OrganizationGroup, "organization_groups", ordering=ordering, filters=filters
        ):
            yield group

    async def retrieve_organization_group(self, org_group_id: int) -> OrganizationGroup:
        """``GET organization_groups/{id}``."""
        return await self._get(Resource.OrganizationGroup, f"organization_groups/{org_group_id}")

    # -- schemas ---------------------------------------------------------------------------------------------

    async def list_schemas(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[Schema]:
        """``GET schemas``."""
        async for schema in self._list(Resource.Schema, "schemas", ordering=ordering, filters=filters):
            yield schema

    async def retrieve_schema(self, schema_id: int) -> Schema:
        """``GET schemas/{id}``."""
        return await self._get(Resource.Schema, f"schemas/{schema_id}")

    async def create_new_schema(self, data: JsonDict) -> Schema:
        """``POST schemas``."""
        return await self._send_data(Resource.Schema, "POST", "schemas", data)

    async def update_schema(self, schema_id: int, data: JsonDict) -> Schema:
        """``PUT schemas/{id}`` (re-shapes the schema's annotations)."""
        return await self._send_data(Resource.Schema, "PUT", f"schemas/{schema_id}", data)

    async def update_part_schema(self, schema_id: int, data: JsonDict) -> Schema:
        """``PATCH schemas/{id}``."""
        return await self._send_data(Resource.Schema, "PATCH", f"schemas/{schema_id}", data)

    async def delete_schema(self, schema_id: int) -> None:
        """``DELETE schemas/{id}`` (409 while a queue or annotation uses it)."""
        await self._delete(f"schemas/{schema_id}")

    # -- users -----------------------------------------------------------------------------------------------

    async def list_users(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[User]:
        """``GET users``."""
        async for user in self._list(Resource.User, "users", ordering=ordering, filters=filters):
            yield user

    async def retrieve_user(self, user_id: int) -> User:
        """``GET users/{id}``."""
        return await self._get(Resource.User, f"users/{user_id}")

    async def retrieve_current_user(self) -> User:
        """``GET auth/user``: the user the client is authenticated as."""
        return await self._get(Resource.User, "auth/user")

    async def create_new_user(self, data: JsonDict) -> User:
        """``POST users``."""
        return await self._send_data(Resource.User, "POST", "users", data)

    async def update_user(self, user_id: int, data: JsonDict) -> User:
        """``PUT users/{id}``."""
        return await self._send_data(Resource.User, "PUT", f"users/{user_id}", data)

    async def update_part_user(self, user_id: int, data: JsonDict) -> User:
        """``PATCH users/{id}``."""
        return await self._send_data(Resource.User, "PATCH", f"users/{user_id}", data)

    async def delete_user(self, user_id: int) -> None:
        """``DELETE users/{id}`` (a soft, irreversible delete)."""
        await self._delete(f"users/{user_id}")

    async def change_user_password(self, new_password: str, *, old_password: str | None = None) -> JsonDict:
        """``POST auth/password/change`` for the current user.

        ``old_password`` (extra keyword) defaults to the password of the client's ``UserCredentials``; a client
        created with a ``Token`` must pass it. The client keeps using its token; once the change succeeded, a
        client created with ``UserCredentials`` logs in (e.g. on a 401) with ``new_password``.
        """
        if old_password is None:
            if not isinstance(self._credentials, UserCredentials):
                raise ValueError("change_user_password needs old_password= when the client was created with a Token")
            old_password = self._credentials.password
        body = _requests.password_change_body(new_password, old_password)
        result = dict(await self._transport.request_json("POST", "auth/password/change", json=body))
        if isinstance(self._credentials, UserCredentials):
            self._credentials = UserCredentials(self._credentials.username, new_password)
            self._transport.replace_credentials(self._credentials)
        return result

    async def reset_user_password(self, email: str) -> JsonDict:
        """``POST auth/password/reset``: the API emails a password-reset link to ``email``."""
        return dict(await self._transport.request_json("POST", "auth/password/reset", json={"email": email}))

    async def list_user_roles(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[Group]:
        """``GET groups`` (user roles)."""
        async for group in self._list(Resource.Group, "groups", ordering=ordering, filters=filters):
            yield group

    # -- annotations -----------------------------------------------------------------------------------------

    async def list_annotations(
        self,
        ordering: Sequence[str] = (),
        sideloads: Sequence[str] = (),
        content_schema_ids: Sequence[str] = (),
        **filters: Any,
    ) -> AsyncIterator[Annotation]:
        """``GET annotations`` with sideloads embedded (``content`` needs ``content_schema_ids``)."""
        sideload_list = _sideloads.as_list(sideloads)
        _sideloads.check_content_sideload(sideload_list, _sideloads.as_list(content_schema_ids))
        async for annotation in self._list(
            Resource.Annotation,
            "annotations",
            ordering=ordering,
            sideloads=sideload_list,
            content_schema_ids=content_schema_ids,
            filters=filters,
        ):
            yield annotation

    async def search_for_annotations(
        self,
        query: JsonDict | None = None,
        query_string: JsonDict | None = None,
        ordering: Sequence[str] = (),
        sideloads: Sequence[str] = (),
        *,
        content_schema_ids: Sequence[str] = (),
        **kwargs: Any,
    ) -> AsyncIterator[Annotation]:
        """``POST annotations/search`` with ``{"query": ..., "query_string": ...}``; follows the search's
        ``pagination.next`` (a ``search_after`` cursor) re-posting the same body, so results are not capped."""
        body = _requests.search_body(query, query_string)
        sideload_list = _sideloads.as_list(sideloads)
        _sideloads.check_content_sideload(sideload_list, _sideloads.as_list(content_schema_ids))
        params: Mapping[str, Any] | None = pagination.first_page_params(
            pagination.list_params(
                ordering=ordering, sideloads=sideload_list, content_schema_ids=content_schema_ids, filters=kwargs
            )
        )
        url: str | None = "annotations/search"
        while url is not None:
            page = await self._transport.request_json("POST", url, params=params, json=body)
            for result in _sideloads.embed_sideloads(page, sideload_list):
                yield self._deserialize(Resource.Annotation, result)
            url, params = _requests.next_page_url(page), None

    async def retrieve_annotation(
        self,
        annotation_id: int,
        sideloads: Sequence[str] = (),
        *,
        sideload_query_params: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Annotation:
        """``GET annotations/{id}``, then ``GET`` each sideloaded URL (``content``, ``document``, ``modifier`` ...)
        with optional per-sideload query params."""
        _sideloads.check_sideload_query_params(_sideloads.as_list(sideloads), sideload_query_params)
        payload = await self._transport.request_json("GET", f"annotations/{annotation_id}")
        if sideloads or sideload_query_params:
            await self._embed_single_sideloads(payload, sideloads, sideload_query_params)
        return self._deserialize(Resource.Annotation, payload)

    async def retrieve_annotation_content(self, annotation_id: int) -> JsonDict:
        """``GET annotations/{id}/content``: the raw annotation data (``{"content": [...], ...}``)."""
        return dict(await self._transport.request_json("GET", f"annotations/{annotation_id}/content"))

    async def poll_annotation(
        self,
        annotation_id: int,
        predicate: Callable[[Annotation], bool],
        sleep_s: int = 3,
        sideloads: Sequence[str] = (),
        *,
        timeout: float | None = None,
    ) -> Annotation:
        """Re-``GET`` the annotation every ``sleep_s`` seconds until ``predicate(annotation)``; sideloads are
        fetched once at the end. ``timeout`` (extra keyword, seconds) raises ``PollingTimeoutError``."""
        deadline = _deadline(timeout)
        while True:
            payload = await self._transport.request_json("GET", f"annotations/{annotation_id}")
            annotation = self._deserialize(Resource.Annotation, payload)
            if predicate(annotation):
                break
            await self._poll_sleep(sleep_s, deadline, timeout, f"annotation {annotation_id}")
        if sideloads:
            await self._embed_single_sideloads(payload, sideloads)
            annotation = self._deserialize(Resource.Annotation, payload)
        return annotation

    async def poll_annotation_until_imported(self, annotation_id: int, **poll_kwargs: Any) -> Annotation:
        """``poll_annotation`` until the status is neither ``importing`` nor ``created`` (``failed_import`` ends
        it too); ``poll_kwargs``: ``sleep_s``, ``sideloads``, ``timeout``."""
        return await self.poll_annotation(annotation_id, _requests.is_imported, **poll_kwargs)

    async def poll_task(
        self,
        task_id: int,
        predicate: Callable[[Task], bool],
        sleep_s: int = 3,
        *,
        timeout: float | None = None,
    ) -> Task:
        """Re-``GET`` the task until ``predicate(task)``. A ``failed`` task the predicate does not accept raises
        ``TaskFailedError``; ``timeout`` (extra keyword, seconds) raises ``PollingTimeoutError`` (K4)."""
        deadline = _deadline(timeout)
        while True:
            task = await self.retrieve_task(task_id)
            if predicate(task):
                return task
            if _requests.is_task_failed(task):
                raise TaskFailedError(task, _requests.task_failure_message(task_id, task))
            await self._poll_sleep(sleep_s, deadline, timeout, f"task {task_id}")

    async def poll_task_until_succeeded(self, task_id: int, sleep_s: int = 3, *, timeout: float | None = None) -> Task:
        """``poll_task`` until ``status == "succeeded"`` (``TaskFailedError`` if it fails)."""
        return await self.poll_task(task_id, _requests.is_task_succeeded, sleep_s, timeout=timeout)

    async def retrieve_task(self, task_id: int) -> Task:
        """``GET tasks/{id}?no_redirect=True`` (a finished task would otherwise redirect to its result)."""
        return await self._get(Resource.Task, f"tasks/{task_id}", params={"no_redirect": "True"})

    async def upload_and_wait_until_imported(
        self, queue_id: int, filepath: str | Path, filename: str, **poll_kwargs: Any
    ) -> Annotation:
        """Upload one file (``POST queues/{id}/upload``) and ``poll_annotation_until_imported`` its annotation."""
        annotation_ids = await self._import_files(queue_id, [(filepath, filename)], None, None)
        return await self.poll_annotation_until_imported(annotation_ids[0], **poll_kwargs)

    async def start_annotation(self, annotation_id: int) -> None:
        """``POST annotations/{id}/start``."""
        await self._post_action(f"annotations/{annotation_id}/start")

    async def update_annotation(self, annotation_id: int, data: JsonDict) -> Annotation:
        """``PUT annotations/{id}``."""
        return await self._send_data(Resource.Annotation, "PUT", f"annotations/{annotation_id}", data)

    async def update_part_annotation(self, annotation_id: int, data: JsonDict) -> Annotation:
        """``PATCH annotations/{id}``."""
        return await self._send_data(Resource.Annotation, "PATCH", f"annotations/{annotation_id}", data)

    async def bulk_update_annotation_data(self, annotation_id: int, operations: list[JsonDict]) -> None:
        """``POST annotations/{id}/content/operations`` with ``{"operations": [...]}``."""
        await self._post_action(f"annotations/{annotation_id}/content/operations", {"operations": operations})

    async def confirm_annotation(self, annotation_id: int) -> None:
        """``POST annotations/{id}/confirm``."""
        await self._post_action(f"annotations/{annotation_id}/confirm")

    async def postpone_annotation(self, annotation_id: int) -> None:
        """``POST annotations/{id}/postpone``."""
        await self._post_action(f"annotations/{annotation_id}/postpone")

    async def create_new_annotation(self, data: JsonDict) -> Annotation:
        """``POST annotations``."""
        return await self._send_data(Resource.Annotation, "POST", "annotations", data)

    async def delete_annotation(self, annotation_id: int) -> None:
        """``POST annotations/{id}/delete`` (status ``deleted``; the annotation stays visible)."""
        await self._post_action(f"annotations/{annotation_id}/delete")

    async def cancel_annotation(self, annotation_id: int) -> None:
        """``POST annotations/{id}/cancel``."""
        await self._post_action(f"annotations/{annotation_id}/cancel")

    async def retrieve_annotation_processing_duration(self, annotation_id: int) -> AnnotationProcessingDuration:
        """``GET annotations/{id}/processing_duration``."""
        return await self._get(
            Resource.AnnotationProcessingDuration, f"annotations/{annotation_id}/processing_duration"
        )

    # -- documents -------------------------------------------------------------------------------------------

    async def list_documents(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[Document]:
        """``GET documents``."""
        async for document in self._list(Resource.Document, "documents", ordering=ordering, filters=filters):
            yield document

    async def retrieve_document(self, document_id: int) -> Document:
        """``GET documents/{id}``."""
        return await self._get(Resource.Document, f"documents/{document_id}")

    async def retrieve_document_content(self, document_id: int) -> bytes:
        """``GET documents/{id}/content``: the original file's bytes."""
        response = await self._transport.request("GET", f"documents/{document_id}/content")
        return response.content

    async def create_new_document(
        self,
        file_name: str,
        file_data: bytes,
        metadata: JsonDict | None = None,
        parent: str | None = None,
    ) -> Document:
        """``POST documents`` (multipart ``content``, ``metadata``, optional ``parent`` URL)."""
        files = multipart.document_files(file_name, file_data, metadata, parent)
        return self._deserialize(
            Resource.Document, await self._transport.request_json("POST", "documents", files=files)
        )

    # -- document relations and relations --------------------------------------------------------------------

    async def list_document_relations(
        self, ordering: Sequence[str] = (), **filters: Any
    ) -> AsyncIterator[DocumentRelation]:
        """``GET document_relations``."""
        async for relation in self._list(
            Resource.DocumentRelation, "document_relations", ordering=ordering, filters=filters
        ):
            yield relation

    async def retrieve_document_relation(self, document_relation_id: int) -> DocumentRelation:
        """``GET document_relations/{id}``."""
        return await self._get(Resource.DocumentRelation, f"document_relations/{document_relation_id}")

    async def create_new_document_relation(self, data: JsonDict) -> DocumentRelation:
        """``POST document_relations``."""
        return await self._send_data(Resource.DocumentRelation, "POST", "document_relations", data)

    async def update_document_relation(self, document_relation_id: int, data: JsonDict) -> DocumentRelation:
        """``PUT document_relations/{id}``."""
        return await self._send_data(
            Resource.DocumentRelation, "PUT", f"document_relations/{document_relation_id}", data
        )

    async def update_part_document_relation(self, document_relation_id: int, data: JsonDict) -> DocumentRelation:
        """``PATCH document_relations/{id}``."""
        return await self._send_data(
            Resource.DocumentRelation, "PATCH", f"document_relations/{document_relation_id}", data
        )

    async def delete_document_relation(self, document_relation_id: int) -> None:
        """``DELETE document_relations/{id}``."""
        await self._delete(f"document_relations/{document_relation_id}")

    async def list_relations(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[Relation]:
        """``GET relations``."""
        async for relation in self._list(Resource.Relation, "relations", ordering=ordering, filters=filters):
            yield relation

    async def create_new_relation(self, data: JsonDict) -> Relation:
        """``POST relations``."""
        return await self._send_data(Resource.Relation, "POST", "relations", data)

    # -- workspaces ------------------------------------------------------------------------------------------

    async def list_workspaces(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[Workspace]:
        """``GET workspaces``."""
        async for workspace in self._list(Resource.Workspace, "workspaces", ordering=ordering, filters=filters):
            yield workspace

    async def retrieve_workspace(self, workspace_id: int) -> Workspace:
        """``GET workspaces/{id}``."""
        return await self._get(Resource.Workspace, f"workspaces/{workspace_id}")

    async def create_new_workspace(self, data: JsonDict) -> Workspace:
        """``POST workspaces``."""
        return await self._send_data(Resource.Workspace, "POST", "workspaces", data)

    async def update_workspace(self, workspace_id: int, data: JsonDict) -> Workspace:
        """``PUT workspaces/{id}``."""
        return await self._send_data(Resource.Workspace, "PUT", f"workspaces/{workspace_id}", data)

    async def update_part_workspace(self, workspace_id: int, data: JsonDict) -> Workspace:
        """``PATCH workspaces/{id}``."""
        return await self._send_data(Resource.Workspace, "PATCH", f"workspaces/{workspace_id}", data)

    async def delete_workspace(self, workspace_id: int) -> None:
        """``DELETE workspaces/{id}`` (409 while it contains queues)."""
        await self._delete(f"workspaces/{workspace_id}")

    # -- engines ---------------------------------------------------------------------------------------------

    async def retrieve_engine(self, engine_id: int) -> Engine:
        """``GET engines/{id}``."""
        return await self._get(Resource.Engine, f"engines/{engine_id}")

    async def list_engines(
        self, ordering: Sequence[str] = (), sideloads: Sequence[str] = (), **filters: Any
    ) -> AsyncIterator[Engine]:
        """``GET engines``."""
        async for engine in self._list(
            Resource.Engine, "engines", ordering=ordering, sideloads=sideloads, filters=filters
        ):
            yield engine

    async def retrieve_engine_fields(self, engine_id: int | None = None) -> AsyncIterator[EngineField]:
        """``GET engine_fields`` (of one engine when ``engine_id`` is given; no empty filter otherwise, K19)."""
        filters = {"engine": engine_id} if engine_id is not None else None
        async for field in self._list(Resource.EngineField, "engine_fields", filters=filters):
            yield field

    async def retrieve_engine_queues(self, engine_id: int) -> AsyncIterator[Queue]:
        """``GET queues?engine={id}``."""
        async for queue in self._list(Resource.Queue, "queues", filters={"engine": engine_id}):
            yield queue

    # -- inboxes and emails ----------------------------------------------------------------------------------

    async def list_inboxes(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[Inbox]:
        """``GET inboxes``."""
        async for inbox in self._list(Resource.Inbox, "inboxes", ordering=ordering, filters=filters):
            yield inbox

    async def retrieve_inbox(self, inbox_id: int) -> Inbox:
        """``GET inboxes/{id}``."""
        return await self._get(Resource.Inbox, f"inboxes/{inbox_id}")

    async def create_new_inbox(self, data: JsonDict) -> Inbox:
        """``POST inboxes``."""
        return await self._send_data(Resource.Inbox, "POST", "inboxes", data)

    async def update_inbox(self, inbox_id: int, data: JsonDict) -> Inbox:
        """``PUT inboxes/{id}``."""
        return await self._send_data(Resource.Inbox, "PUT", f"inboxes/{inbox_id}", data)

    async def update_part_inbox(self, inbox_id: int, data: JsonDict) -> Inbox:
        """``PATCH inboxes/{id}``."""
        return await self._send_data(Resource.Inbox, "PATCH", f"inboxes/{inbox_id}", data)

    async def delete_inbox(self, inbox_id: int) -> None:
        """``DELETE inboxes/{id}``."""
        await self._delete(f"inboxes/{inbox_id}")

    async def retrieve_email(self, email_id: int) -> Email:
        """``GET emails/{id}``."""
        return await self._get(Resource.Email, f"emails/{email_id}")

    async def import_email(self, raw_message: bytes, recipient: str, mime_type: str | None = None) -> str:
        """``POST emails/import`` (multipart ``raw_message`` + ``recipient``); returns the import task's URL."""
        files = multipart.email_files(raw_message, recipient, mime_type)
        return _requests.task_url(await self._transport.request_json("POST", "emails/import", files=files))

    # -- email templates -------------------------------------------------------------------------------------

    async def list_email_templates(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[EmailTemplate]:
        """``GET email_templates``."""
        async for template in self._list(Resource.EmailTemplate, "email_templates", ordering=ordering, filters=filters):
            yield template

    async def retrieve_email_template(self, email_template_id: int) -> EmailTemplate:
        """``GET email_templates/{id}``."""
        return await self._get(Resource.EmailTemplate, f"email_templates/{email_template_id}")

    async def create_new_email_template(self, data: JsonDict) -> EmailTemplate:
        """``POST email_templates``."""
        return await self._send_data(Resource.EmailTemplate, "POST", "email_templates", data)

    async def update_email_template(self, email_template_id: int, data: JsonDict) -> EmailTemplate:
        """``PUT email_templates/{id}``."""
        return await self._send_data(Resource.EmailTemplate, "PUT", f"email_templates/{email_template_id}", data)

    async def update_part_email_template(self, email_template_id: int, data: JsonDict) -> EmailTemplate:
        """``PATCH email_templates/{id}``."""
        return await self._send_data(Resource.EmailTemplate, "PATCH", f"email_templates/{email_template_id}", data)

    async def delete_email_template(self, email_template_id: int) -> None:
        """``DELETE email_templates/{id}`` (only ``rejection`` and ``custom`` templates can be deleted)."""
        await self._delete(f"email_templates/{email_template_id}")

    # -- connectors ------------------------------------------------------------------------------------------

    async def list_connectors(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[Connector]:
        """``GET connectors``."""
        async for connector in self._list(Resource.Connector, "connectors", ordering=ordering, filters=filters):
            yield connector

    async def retrieve_connector(self, connector_id: int) -> Connector:
        """``GET connectors/{id}``."""
        return await self._get(Resource.Connector, f"connectors/{connector_id}")

    async def create_new_connector(self, data: JsonDict) -> Connector:
        """``POST connectors``."""
        return await self._send_data(Resource.Connector, "POST", "connectors", data)

    async def update_connector(self, connector_id: int, data: JsonDict) -> Connector:
        """``PUT connectors/{id}``."""
        return await self._send_data(Resource.Connector, "PUT", f"connectors/{connector_id}", data)

    async def update_part_connector(self, connector_id: int, data: JsonDict) -> Connector:
        """``PATCH connectors/{id}``."""
        return await self._send_data(Resource.Connector, "PATCH", f"connectors/{connector_id}", data)

    async def delete_connector(self, connector_id: int) -> None:
        """``DELETE connectors/{id}``."""
        await self._delete(f"connectors/{connector_id}")

    # -- hooks -----------------------------------------------------------------------------------------------

    async def list_hooks(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[Hook]:
        """``GET hooks``."""
        async for hook in self._list(Resource.Hook, "hooks", ordering=ordering, filters=filters):
            yield hook

    async def retrieve_hook(self, hook_id: int) -> Hook:
        """``GET hooks/{id}``."""
        return await self._get(Resource.Hook, f"hooks/{hook_id}")

    async def create_new_hook(self, data: JsonDict) -> Hook:
        """``POST hooks``."""
        return await self._send_data(Resource.Hook, "POST", "hooks", data)

    async def update_hook(self, hook_id: int, data: JsonDict) -> Hook:
        """``PUT hooks/{id}``."""
        return await self._send_data(Resource.Hook, "PUT", f"hooks/{hook_id}", data)

    async def update_part_hook(self, hook_id: int, data: JsonDict) -> Hook:
        """``PATCH hooks/{id}``."""
        return await self._send_data(Resource.Hook, "PATCH", f"hooks/{hook_id}", data)

    async def delete_hook(self, hook_id: int) -> None:
        """``DELETE hooks/{id}``."""
        await self._delete(f"hooks/{hook_id}")

    async def list_hook_run_data(self, **filters: Any) -> AsyncIterator[HookRunData]:
        """``GET hooks/logs`` - one request (the endpoint is not paginated; at most 100 entries, 7 days)."""
        body = await self._transport.request_json("GET", "hooks/logs", params=pagination.list_params(filters=filters))
        for result in body.get("results") or []:
            yield self._deserialize(Resource.HookRunData, result)

    async def list_hook_templates(self, **filters: Any) -> AsyncIterator[HookTemplate]:
        """``GET hook_templates``."""
        async for template in self._list(Resource.HookTemplate, "hook_templates", filters=filters):
            yield template

    async def retrieve_hook_template(self, hook_template_id: int) -> HookTemplate:
        """``GET hook_templates/{id}``."""
        return await self._get(Resource.HookTemplate, f"hook_templates/{hook_template_id}")

    # -- rules -----------------------------------------------------------------------------------------------

    async def list_rules(self, ordering: Sequence[str] = (), **filters: Any) -> AsyncIterator[Rule]:
        """``GET rules``."""
        async for rule in self._list(Resource.Rule, "rules", ordering=ordering, filters=filters):
            yield rule

    async def retrieve_rule(self, rule_id: int) -> Rule:
        """``GET rules/{id}``."""
        return await self._get(Resource.Rule, f"rules/{rule_id}")

    async def create_new_rule(self, data: JsonDict) -> Rule:
        """``POST rules``."""
        return await self._send_data(Resource.Rule, "POST", "rules", data)

    async def update_rule(self, rule_id: int, data: JsonDict) -> Rule:
        """``PUT rules/{id}``."""
        return await self._send_data(Resource.Rule, "PUT", f"rules/{rule_id}", data)

    async def update_part_rule(self, rule_id: int, data: JsonDict) -> Rule:
        """``PATCH rules/{id}``."""
        return await self._send_data(Resource.Rule, "PATCH", f"rules/{rule_id}", data)

    async def delete_rule(self, rule_id: int) -> None:
        """``DELETE rules/{id}``."""
        await self._delete(f"rules/{rule_id}")

    async def list_rules_execution_logs(
        self, ordering: Sequence[str] = (), **filters: Any
    ) -> AsyncIterator[RulesExecutionLog]:
        """``GET rules_execution_logs``."""
        async for log in self._list(
            Resource.RulesExecutionLog, "rules_execution_logs", ordering=ordering, filters=filters
        ):
            yield log

    # -- automation ------------------------------------------------------------------------------------------

    async def retrieve_automation_insights(self, queue_id: int) -> AutomationStats:
        """``GET queues/{id}/automation/insights``."""
        return await self._get(Resource.AutomationStats, f"queues/{queue_id}/automation/insights")

    async def retrieve_automation_projections(
        self,
        queue_id: int,
        fields: Sequence[FieldErrorRateLimit | JsonDict],
        exclude_blockers: Sequence[str] = (),
    ) -> AutomationProjections:
        """``POST queues/{id}/automation/projections`` with ``{"fields": [...]}`` (+ ``?exclude_blockers=a,b``)."""
        params, body = _requests.projections_request(fields, exclude_blockers)
        payload = await self._transport.request_json(
            "POST", f"queues/{queue_id}/automation/projections", params=params, json=body
        )
        return self._deserialize(Resource.AutomationProjections, payload)

    async def list_automation_targets(self, queue_id: int) -> AsyncIterator[AutomationTarget]:
        """``GET queues/{id}/automation/targets`` (one request; ``results`` of the response)."""
        body = await self._transport.request_json("GET", f"queues/{queue_id}/automation/targets")
        for result in body.get("results") or []:
            yield self._deserialize(Resource.AutomationTarget, result)

    async def create_new_automation_target(
        self,
        queue_id: int,
        automation_rate_target: float,
        error_rate_target: float,
        datapoint_automation_targets: Sequence[DatapointAutomationTarget | JsonDict],
        target_type: str = "automation_assistant_v1",
    ) -> None:
        """``POST queues/{id}/automation/targets``."""
        body = _requests.automation_target_body(
            automation_rate_target, error_rate_target, datapoint_automation_targets, target_type
        )
        await self._transport.request("POST", f"queues/{queue_id}/automation/targets", json=body)

    # -- generic requests and auth ---------------------------------------------------------------------------

    async def request_paginated(self, url: str, *args: Any, **kwargs: Any) -> AsyncIterator[JsonDict]:
        """Every result (raw dict) of a page-number listing at ``url`` (relative or absolute).

        Keywords: ``ordering``, ``sideloads``, ``content_schema_ids``, ``method``, ``max_pages``, ``json``; any
        other keyword is a query filter. Positional arguments after ``url`` follow that order (K20).
        """
        options, filters = _requests.paginated_call("request_paginated", args, kwargs)
        sideload_list = _sideloads.as_list(options["sideloads"])
        params = pagination.list_params(
            ordering=options["ordering"],
            sideloads=sideload_list,
            content_schema_ids=options["content_schema_ids"],
            filters=filters,
        )
        async for result in self._results(
            url,
            params,
            sideloads=sideload_list,
            method=options["method"],
            json=options["json"],
            max_pages=options["max_pages"],
        ):
            yield result

    async def request_cursor_paginated(self, url: str, *args: Any, **kwargs: Any) -> AsyncIterator[JsonDict]:
        """Every result (raw dict) of a cursor-paginated listing: follows the top-level ``next`` URL; same
        arguments as ``request_paginated``."""
        options, filters = _requests.paginated_call("request_cursor_paginated", args, kwargs)
        sideload_list = _sideloads.as_list(options["sideloads"])
        params = pagination.list_params(
            ordering=options["ordering"],
            sideloads=sideload_list,
            content_schema_ids=options["content_schema_ids"],
            filters=filters,
        )
        async for page in self._transport.cursor_paginate(
            url, params=params, method=options["method"], json=options["json"], max_pages=options["max_pages"]
        ):
            for result in _sideloads.embed_sideloads(page, sideload_list):
                yield result

    async def request_json(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Any request (``url`` relative or absolute; ``params``, ``json``, ``data``, ``files``, ``headers``);
        the parsed JSON body, ``{}`` when empty."""
        return await self._transport.request_json(method, *args, **kwargs)

    async def request(self, method: str, *args: Any, **kwargs: Any) -> httpx.Response:
        """Any request; the ``httpx.Response`` (body read)."""
        return await self._transport.request(method, *args, **kwargs)

    async def get_token(self, refresh: bool = False) -> str:
        """The API token (logs in first with ``UserCredentials`` if there is none yet or ``refresh`` is set)."""
        return await self._transport.get_token(refresh)

    async def authenticate(self) -> None:
        """Log in now (``POST auth/login``); needs ``UserCredentials``."""
        await self._transport.authenticate()
