"""A local Rossum API: real HTTP on loopback, state in SQLite, stdlib only. Shares no code with the client.

Usage::

    from rossum_iac.emulator import serve_in_thread

    with serve_in_thread() as emu:                    # ":memory:" DB, free port on 127.0.0.1
        httpx.get(f"{emu.base_url}/queues", headers={"Authorization": f"Bearer {emu.token}"})
        emu.settings.fault_rate = 0.3                 # knobs can change on a running server
        emu.request_log.clear()

Seeded credentials (first start of a DB): username ``admin@example.com``, password ``admin``, and the
emulator's own fixed dev token ``e3b0c44298fc1c149afbf4c8996fb92427ae41e4`` (``DEFAULT_USERNAME``,
``DEFAULT_PASSWORD``, ``DEFAULT_TOKEN``). The configured username/password/token are (re)applied to the
admin user at every start, so the printed credentials always work with a persisted DB file. CLI:
``rossum-iac emulator serve``.

Layout
------
``http.py`` Request/Response/ApiError (NotFound 404, BadRequest 400 field errors, Conflict 409, ...) and
the multipart parser; ``routing.py`` ``@route("GET", "/queues/{id}")``; ``store.py`` SQLite (one
transaction per request; references, status and common sort keys also kept in indexed columns, see
``store.COLUMN_FIELDS``, so counts and pages never re-parse JSON); ``fields.py`` field specs (validation,
storage, rendering); ``resource.py`` the :class:`~rossum_iac.emulator.resource.Resource` base with generic
CRUD; ``listing.py`` filters,
ordering, pagination; ``security.py`` passwords/tokens; ``server.py`` the HTTP server, faults, latency,
rate limit; ``seed.py`` first-start data; ``resources/`` one module per API resource.

How to write a resource module
------------------------------
Create ``resources/<name>.py`` and add one import line to ``resources/__init__.py``::

    from rossum_iac.emulator.fields import f_str, f_ref, f_dict, f_derived, f_ro, Field
    from rossum_iac.emulator.http import BadRequest, Conflict, NotFound, Request, Response
    from rossum_iac.emulator.listing import Ids, Ref, Exact, Bool, orderings_for, list_resource
    from rossum_iac.emulator.resource import Resource, register, delete_object
    from rossum_iac.emulator.routing import route

    class Labels(Resource):
        collection = "labels"                          # URL segment and storage collection
        fields = [                                     # id and url are implicit
            f_str("name", required=True, allow_blank=False),
            Field("organization", "ref", target="organizations", read_only=True),
            Field("color", "str", nullable=True),
        ]
        filters = {"id": Ids(), "name": Exact("name")}
        orderings = orderings_for("id", "name")

        def before_write(self, req, obj, old, values):   # obj: merged stored dict; old None on create
            obj["organization"] = req.user["organization"]

    LABELS = register(Labels())                        # GET/POST /labels, GET/PUT/PATCH/DELETE /labels/{id}

    @route("POST", "/labels/apply")                    # custom endpoints: plain functions
    def apply_labels(req: Request) -> Response:
        body = req.json_object()                       # 400 unless a JSON object (or form)
        ...
        return Response(204)                           # or return a dict (200) / None (204)

Rules of the framework:

* Handlers get a :class:`~rossum_iac.emulator.http.Request`: ``req.tx`` (the request's SQLite
  transaction: ``get/require/insert/save/delete/select/count/find/link_ids/set_links``), ``req.user``
  (stored user dict, ``req.user["organization"]`` is its org id), ``req.path_params``, ``req.param()``,
  ``req.query_list``, ``req.data`` / ``req.json_object()`` (JSON, urlencoded or multipart text fields),
  ``req.files`` (multipart parts incl. files), ``req.body`` (raw bytes), ``req.url_for(collection, id)``,
  ``req.app`` (``settings``, ``call_later(delay_s, func(req))`` for background work such as imports).
* Raise ``NotFound()``, ``BadRequest({"field": ["msg"]})``, ``Conflict("...")`` etc.; any exception or
  any response with status >= 400 rolls the request's transaction back (nothing half-written).
* Objects are stored as JSON dicts with references as integer ids; keys starting with ``_`` are private
  (never rendered). Render with ``RESOURCE.render(req, obj)``; never store URLs (the port changes).
* Field kinds: plain (``str int float bool dict list any datetime duration email url``), ``ref``/``refs``
  (stored ids, validated on write: wrong or missing target -> 400 field message), ``m2m`` (links table,
  relation + side), ``derived`` (computed at render). ``on_delete`` on ref fields: ``set_null``
  (default), ``cascade``, ``protect``. Use ``delete_object(req, collection, obj)`` to delete.
* Lists: ``list_resource(req, RESOURCE)`` (filters, ordering, pagination in SQL; a page walk costs the same
  per page however long the list, see ``listing.py``); for other shapes
  ``listing.paginate_query`` / ``paginate_list``. Helpers for the documents side: ``queue_counts`` in
  ``resources/queues.py`` (counts are computed from the ``annotations`` collection's ``queue``/``status``
  fields at render time, so nothing has to be kept in sync).

Behaviour choices where the documentation is silent (see ``docs`` of each resource module too)
-----------------------------------------------------------------------------------------------
* 400 bodies are DRF-style ``{"field": ["message"]}`` / ``{"non_field_errors": [...]}`` with DRF's
  messages; 404 ``{"detail": "Not found."}``; 401/403/405/409/429 ``{"detail": "..."}``.
* Read-only and unknown keys in writes are ignored; PUT requires the required fields but keeps absent
  optional ones (DRF); PATCH validates only what is sent.
* References must be absolute URLs whose path ends in ``/api/v1/<collection>/<id>`` (or ``/v1/...``, the
  form regional hosts such as ``us.api.rossum.ai`` use); the host part is not checked (clients may use
  ``localhost`` or ``127.0.0.1``); a query or ``#fragment`` is ignored. URL fields accept fragments like
  Django's URLValidator. Filters take ids (URLs also accepted).
* ``total``/``total_pages`` are always present in pagination (with or without ``include_total``); a
  page past the end -> 404 ``Invalid page.``; unknown ordering keys and unknown params are ignored.
* Auth: ``Bearer``, ``Token`` and ``Basic`` on every endpoint; login accepts JSON or form and answers
  401 ``{"detail": ...}`` on bad credentials; tokens live 162 h (or ``max_token_lifetime_s``); logout
  deletes the token used (except the fixed seeded token, which always works).
* Faults (``fault_rate``), latency and the rate limit apply to every request under ``/api/v1``,
  including ``auth/login``; faults are decided before routing, so a faulted request changes nothing.
  The request log records dropped connections with status 0.
* Ids: every collection has its own id range (``store.first_id``), so mixing up ids of two kinds 404s.
* Each new DB has its own organization (random id in 1,000,000,000-1,999,999,999, name ``Emulator
  organization <hex id>``; see ``seed.py``): two emulators are two different organizations, like two real
  accounts. ``create_server(organization_id=..., organization_name=...)`` fixes them for tests.
* The rate limit counts accepted requests in a sliding 1 s window; throttled ones do not count.
* Roles: only admin/organization_group_admin may create/update/delete configuration (others 403); everyone
  may edit themselves (``/auth/user``, ``/users/{own id}``); labels are also writable by annotators/managers.
* Queue DELETE answers 202 with an empty body; see ``resources/queues.py`` for the deletion schedule.
* Queue ``counts`` are computed from the ``annotations`` collection at render time (no counters to update).
* Hostile or malformed requests never get a 500: an id beyond SQLite's INTEGER range (2**63 - 1) is 404 in a
  path, 400 ``Select a valid choice. <id> is not one of the available choices.`` in a filter and 400
  ``Invalid hyperlink - Object does not exist.`` in a reference; integer fields stop at Django's
  BigIntegerField bounds. JSON is strict (``NaN``/``Infinity``, ``1e400`` and nesting deeper than
  ``http.MAX_JSON_DEPTH`` = 100 -> 400 ``JSON parse error - ...``); a body without ``Content-Type`` or of
  a type nothing parses -> 415 (DRF). Bodies: JSON/form up to 10 MB, file bodies (multipart, raw uploads)
  up to 50 MB of which 40 MB of files -> otherwise 413 (``server.JSON_MAX_BODY_BYTES`` etc.); an invalid
  ``Content-Length`` or chunk size -> 400. Any method name reaches the router (unknown ones -> 405 with
  ``Allow``). A number from the request that still overflows somewhere -> 400.
* Concurrency: requests are serialised on one SQLite connection, so concurrent writers never interleave
  (tests run 8 writers over HTTP). When another process holds the DB file's write lock longer than the busy
  timeout (5 s): 503 ``{"detail": "The database is busy, try again later."}`` with ``Retry-After: 1``.
* ``verbose`` (``emulator serve --verbose``): one stderr line per request, ``<client> <METHOD> <path?query>
  <status|dropped> <ms>ms``; headers and bodies are never logged.
* Side effects on the other end of a two-way link (e.g. ``connector.queues`` moving ``queue.connector``) do
  not touch that object's ``modified_at``.
* Per-resource choices are in each module's docstring under ``resources/``.

Documented behaviours not reproduced (yet)
-------------------------------------------
* Nothing is ever executed or sent: hooks/functions are not called (``test``/``invoke`` answer empty
  results), emails from templates are not sent, rule conditions/actions and trigger conditions are not
  evaluated by this module (the documents side may), formulas are not computed.
* Permissions per queue (annotators/viewers see every queue), organization group administration,
  memberships, ``/organizations/create``, ``include_membership_organizations``, billing, audit logs.
* Hook ``settings`` are not validated against ``settings_schema``; function ``status`` is always ``ready``;
  the 10-minute minimum of ``schedule.cron`` is not checked; hook-template variable substitution.
* ``queues/from_template``, ``queues/{id}/next``, ``suggested_recipients``, workflows, ``session_timeout``
  returning annotations to ``to_review``, ``document_lifetime`` purging.
* Schema updates do not re-shape existing annotations here; ``schemas/from_template`` uses a small invented
  invoice schema (the real templates are not public).
* ``generic_engine_schemas``, dedicated engine schemas and rule templates are not collections (their URLs
  are stored as given); engine ``duplicate``/``queue_stats``/``check_template_compatibility`` and
  ``engine_fields/pre_trained_fields``.
* Cursor pagination, ``fields=``/``fields!=`` and sideloads on configuration lists; session/CSRF auth,
  one-time/JWT token exchange (``auth/token`` simply issues a new token for the caller), the separate
  throttle of ``annotations/{id}/page_data/translate``, password "common words"/complexity checks.
* Triggers: ``delete_recommendations`` is always ``[]``; "only one trigger can be linked" is not enforced.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rossum_iac.emulator.config import (
    DEFAULT_PASSWORD,
    DEFAULT_TOKEN,
    DEFAULT_USERNAME,
    FAULT_KINDS,
    EmulatorSettings,
)
from rossum_iac.emulator.server import App, EmulatorHTTPServer, RequestLog, format_base_url, is_wildcard
from rossum_iac.emulator.store import Store

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_TOKEN",
    "DEFAULT_USERNAME",
    "FAULT_KINDS",
    "EmulatorHandle",
    "EmulatorSettings",
    "create_server",
    "serve_in_thread",
]


@dataclass
class EmulatorHandle:
    """A running emulator: where it is, how to log in, its knobs and its request log."""

    base_url: str
    username: str
    password: str
    token: str
    organization_id: int
    """The DB's organization (random for a new DB unless ``organization_id`` was given)."""
    settings: EmulatorSettings
    request_log: RequestLog
    app: App
    server: EmulatorHTTPServer
    _thread: threading.Thread | None = None
    _stopped: bool = field(default=False)

    @property
    def host(self) -> str:
        return str(self.server.server_address[0])

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def stop(self) -> None:
        """Stop accepting, close open connections, cancel background work, close the DB. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self._thread is not None:
            self.server.shutdown()
        self.app.close()
        self.server.close_connections()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.app.store.close()


def create_server(
    db: str | Path = ":memory:",
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    latency_ms: float = 0,
    fault_rate: float = 0.0,
    rate_limit: int | None = None,
    seed: int = 0,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    token: str = DEFAULT_TOKEN,
    import_delay_s: float = 0.2,
    verbose: bool = False,
    organization_id: int | None = None,
    organization_name: str | None = None,
) -> EmulatorHandle:
    """Bind (but do not start) an emulator; ``handle.server.serve_forever()`` runs it in this thread.

    ``verbose``: one line per request on stderr: client address, method, path with query, status (``dropped``
    for a dropped connection) and duration. ``organization_id``/``organization_name``: a fixed organization
    for a new DB (default: random id, ``Emulator organization <hex id>``); for an existing DB file the id must
    match (ValueError otherwise) and the name, when given, renames it."""
    import rossum_iac.emulator.resources  # noqa: F401  (registers every route)
    from rossum_iac.emulator.resource import STARTUP_TASKS, ensure_indexes
    from rossum_iac.emulator.seed import seed_database

    if not 0.0 <= fault_rate <= 1.0:
        raise ValueError(f"fault_rate must be between 0 and 1, got {fault_rate}")
    settings = EmulatorSettings(
        latency_ms=latency_ms, fault_rate=fault_rate, rate_limit=rate_limit, import_delay_s=import_delay_s
    )
    store = Store(db)
    try:
        ensure_indexes(store)
        org_id = seed_database(
            store,
            username=username,
            password=password,
            token=token,
            organization_id=organization_id,
            organization_name=organization_name,
        )
        app = App(store, settings, seed=seed)
        server = EmulatorHTTPServer((host, port), app, verbose=verbose)
    except BaseException:
        store.close()
        raise
    bound_host, bound_port = server.server_address[0], server.server_address[1]
    app.wildcard_host = is_wildcard(host)
    app.base_url = format_base_url("127.0.0.1" if app.wildcard_host else str(bound_host), int(bound_port))
    for task in STARTUP_TASKS:
        app.call_later(0, task)
    return EmulatorHandle(
        base_url=app.base_url,
        username=username,
        password=password,
        token=token,
        organization_id=org_id,
        settings=settings,
        request_log=app.request_log,
        app=app,
        server=server,
    )


@contextmanager
def serve_in_thread(
    db: str | Path = ":memory:",
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    latency_ms: float = 0,
    fault_rate: float = 0.0,
    rate_limit: int | None = None,
    seed: int = 0,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    token: str = DEFAULT_TOKEN,
    import_delay_s: float = 0.2,
    verbose: bool = False,
    organization_id: int | None = None,
    organization_name: str | None = None,
) -> Iterator[EmulatorHandle]:
    """Run an emulator in a background thread for the duration of the ``with`` block."""
    handle = create_server(
        db,
        host=host,
        port=port,
        latency_ms=latency_ms,
        fault_rate=fault_rate,
        rate_limit=rate_limit,
        seed=seed,
        username=username,
        password=password,
        token=token,
        import_delay_s=import_delay_s,
        verbose=verbose,
        organization_id=organization_id,
        organization_name=organization_name,
    )
    thread = threading.Thread(
        target=handle.server.serve_forever, kwargs={"poll_interval": 0.1}, name="rossum-emulator", daemon=True
    )
    handle._thread = thread
    thread.start()
    try:
        yield handle
    finally:
        handle.stop()
