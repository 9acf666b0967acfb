"""Resource base class: declarative fields + generic CRUD handlers + reference integrity.

A resource module subclasses :class:`Resource`, declares ``collection``, ``fields``, ``filters``,
``orderings``, overrides hooks where the API has behaviour, and calls :func:`register` (which adds the
routes ``GET/POST /<collection>`` and ``GET/PUT/PATCH/DELETE /<collection>/{id}``, or the subset given).

Write pipeline (POST/PUT/PATCH): body must be a JSON object (or form) -> :meth:`Resource.parse` validates
the writable fields present (read-only and unknown keys are ignored; PATCH skips the required check;
PUT, like DRF, requires required fields but keeps absent optional ones) -> :meth:`before_write`
(cross-field rules, side effects on other objects) -> store -> M2M links -> :meth:`after_write` ->
render. ``modified_at``/``modified_by`` (and ``created_at``/``created_by``/``creator`` on create) are
stamped automatically when the resource declares them. Any exception rolls the whole request back.

Deleting an object (:func:`delete_object`) applies each referencing field's ``on_delete``:
``set_null`` (default: ref -> null, removed from ref lists), ``cascade`` (delete the referencing
object too) or ``protect`` (409). M2M links of the deleted object are removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from rossum_iac.emulator.fields import Field, FieldError, now_iso
from rossum_iac.emulator.http import BadRequest, Conflict, Forbidden, Request, Response, no_content
from rossum_iac.emulator.listing import Filter, list_resource
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import Tx, field_sql

RESOURCES: dict[str, Resource] = {}
"""collection name -> registered resource (used for reference integrity on delete)."""

STARTUP_TASKS: list[Callable[[Request], Any]] = []
"""Run once (in a transaction, via ``app.call_later(0, ...)``) when a server starts: resume scheduled work
of a persisted DB (e.g. queues due for deletion)."""


def on_startup(func: Callable[[Request], Any]) -> Callable[[Request], Any]:
    STARTUP_TASKS.append(func)
    return func


ALL_METHODS = ("list", "create", "retrieve", "update", "partial_update", "destroy")
READ_ONLY_METHODS = ("list", "retrieve")


class Resource:
    collection: ClassVar[str] = ""
    fields: ClassVar[list[Field]] = []
    filters: ClassVar[dict[str, Filter]] = {}
    orderings: ClassVar[dict[str, str]] = {}
    default_ordering: ClassVar[str] = "id"
    max_page_size: ClassVar[int] = 100
    write_roles: ClassVar[tuple[str, ...] | None] = ("admin", "organization_group_admin")
    """Roles allowed to create/update/delete (None: any authenticated user). Others get 403."""

    def __init__(self) -> None:
        self.field_map = {f.name: f for f in self.fields}

    # ------------------------------------------------------------------ rendering
    def render(self, req: Request, obj: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": obj["id"], "url": req.url_for(self.collection, obj["id"])}
        for f in self.fields:
            if f.write_only:
                continue
            out[f.name] = f.render(req, obj)
        return self.post_render(req, obj, out)

    def post_render(self, req: Request, obj: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
        """Hook: adjust the rendered object (hide values, add computed keys)."""
        return out

    # -------------------------------------------------------------------- parsing
    def parse(self, req: Request, body: dict[str, Any], *, partial: bool, creating: bool) -> dict[str, Any]:
        """Validate the writable fields present in ``body``; returns name -> stored value. 400 on errors."""
        errors: dict[str, list[Any]] = {}
        values: dict[str, Any] = {}
        for f in self.fields:
            if not f.writable or (f.create_only and not creating):
                continue
            if f.name not in body:
                if f.required and not partial:
                    errors[f.name] = ["This field is required."]
                continue
            try:
                values[f.name] = f.coerce(req, body[f.name])
            except FieldError as exc:
                errors[f.name] = exc.messages
        if errors:
            raise BadRequest(errors)
        return values

    def new_object(self) -> dict[str, Any]:
        """Defaults of every stored field."""
        return {f.name: f.default_value() for f in self.fields if f.stored}

    # ---------------------------------------------------------------------- hooks
    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        """Hook before storing. ``obj`` already has ``values`` merged (M2M values are only in ``values``);
        ``old`` is None on create (``obj`` has no id yet). Raise ApiError to refuse."""

    def after_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        """Hook after storing and linking (``obj`` has its id)."""

    def before_delete(self, req: Request, obj: dict[str, Any]) -> None:
        """Hook before delete: raise Conflict to refuse, clean up related state."""

    def check_write(self, req: Request, obj: dict[str, Any] | None) -> None:
        """403 unless the caller has one of ``write_roles`` (``obj`` is None on create)."""
        if self.write_roles is None or req.user is None:
            return
        if not has_role(req.tx, req.user, self.write_roles):
            raise Forbidden()

    # ------------------------------------------------------------- CRUD handlers
    def handle_list(self, req: Request) -> Any:
        return list_resource(req, self, max_page_size=self.max_page_size)

    def handle_retrieve(self, req: Request) -> Any:
        return self.render(req, req.tx.require(self.collection, req.path_params["id"]))

    def handle_create(self, req: Request) -> Any:
        self.check_write(req, None)
        obj = self.create(req, req.json_object())
        return Response(201, self.render(req, obj))

    def handle_update(self, req: Request) -> Any:
        obj = req.tx.require(self.collection, req.path_params["id"])
        self.check_write(req, obj)
        return self.render(req, self.update(req, obj, req.json_object(), partial=False))

    def handle_partial_update(self, req: Request) -> Any:
        obj = req.tx.require(self.collection, req.path_params["id"])
        self.check_write(req, obj)
        return self.render(req, self.update(req, obj, req.json_object(), partial=True))

    def handle_destroy(self, req: Request) -> Any:
        obj = req.tx.require(self.collection, req.path_params["id"])
        self.check_write(req, obj)
        delete_object(req, self.collection, obj)
        return no_content()

    # ------------------------------------------------------------ write helpers
    def create(self, req: Request, body: dict[str, Any]) -> dict[str, Any]:
        """Validate and create (usable by custom endpoints such as ``hooks/create`` or duplicates)."""
        values = self.parse(req, body, partial=False, creating=True)
        obj = self.new_object()
        obj.update({k: v for k, v in values.items() if self.field_map[k].stored})
        self._stamp(req, obj, created=True)
        self.before_write(req, obj, None, values)
        obj = req.tx.insert(self.collection, obj)
        self._link(req, obj, values)
        self.after_write(req, obj, None, values)
        return obj

    def update(self, req: Request, obj: dict[str, Any], body: dict[str, Any], *, partial: bool) -> dict[str, Any]:
        values = self.parse(req, body, partial=partial, creating=False)
        old = obj
        new = {**obj, **{k: v for k, v in values.items() if self.field_map[k].stored}}
        self._stamp(req, new, created=False)
        self.before_write(req, new, old, values)
        req.tx.save(self.collection, new)
        self._link(req, new, values)
        self.after_write(req, new, old, values)
        return new

    def _stamp(self, req: Request, obj: dict[str, Any], *, created: bool) -> None:
        now = now_iso()
        user_id = req.user["id"] if req.user else None
        if "modified_at" in self.field_map:
            obj["modified_at"] = now
        if "modified_by" in self.field_map:
            obj["modified_by"] = user_id
        if created:
            if "created_at" in self.field_map:
                obj["created_at"] = now
            for name in ("created_by", "creator"):
                if name in self.field_map and self.field_map[name].read_only:
                    obj[name] = user_id

    def _link(self, req: Request, obj: dict[str, Any], values: dict[str, Any]) -> None:
        for name, ids in values.items():
            f = self.field_map[name]
            if f.kind == "m2m":
                assert f.relation is not None
                req.tx.set_links(f.relation, f.side, obj["id"], ids)

    def touch(self, req: Request, obj: dict[str, Any]) -> None:
        """Save ``obj`` with fresh modified_at/modified_by (for side effects that change it)."""
        self._stamp(req, obj, created=False)
        req.tx.save(self.collection, obj)


# ---------------------------------------------------------------------------------- registration


def register(resource: Resource, methods: Iterable[str] = ALL_METHODS) -> Resource:
    """Register the resource and its CRUD routes (``methods`` subset of :data:`ALL_METHODS`)."""
    if resource.collection in RESOURCES:
        raise ValueError(f"resource {resource.collection} registered twice")
    RESOURCES[resource.collection] = resource
    base = f"/{resource.collection}"
    item = f"/{resource.collection}/{{id}}"
    methods = set(methods)
    table = [
        ("list", "GET", base, resource.handle_list),
        ("create", "POST", base, resource.handle_create),
        ("retrieve", "GET", item, resource.handle_retrieve),
        ("update", "PUT", item, resource.handle_update),
        ("partial_update", "PATCH", item, resource.handle_partial_update),
        ("destroy", "DELETE", item, resource.handle_destroy),
    ]
    for name, method, pattern, handler in table:
        if name in methods:
            route(method, pattern)(handler)
    return resource


def ref_fields_to(collection: str) -> list[tuple[Resource, Field]]:
    """(resource, field) pairs whose ref/refs field points at ``collection``."""
    out = []
    for res in RESOURCES.values():
        for f in res.fields:
            if f.kind in ("ref", "refs") and f.target == collection and not f.virtual:
                out.append((res, f))
    return out


def ensure_indexes(store: Any) -> None:
    """Index every stored ref field (reverse lookups and filters stay fast on large collections)."""
    for res in RESOURCES.values():
        for f in res.fields:
            if f.kind == "ref" and not f.virtual:
                store.ensure_field_index(f.name)


def referencing(tx: Tx, res: Resource, f: Field, target_id: int) -> list[dict[str, Any]]:
    if f.kind == "ref":
        return tx.select(res.collection, f"{field_sql(f.name)} = ?", [target_id])
    return tx.select(
        res.collection,
        f"EXISTS (SELECT 1 FROM json_each(objects.data, '$.{f.name}') WHERE json_each.value = ?)",
        [target_id],
    )


def delete_object(req: Request, collection: str, obj: dict[str, Any]) -> None:
    """Delete with the resource's ``before_delete`` and every referencing field's ``on_delete`` rule."""
    res = RESOURCES.get(collection)
    if res is not None:
        res.before_delete(req, obj)
    tx = req.tx
    obj_id = obj["id"]
    for other, f in ref_fields_to(collection):
        for ref_obj in referencing(tx, other, f, obj_id):
            if other.collection == collection and ref_obj["id"] == obj_id:
                continue
            if f.on_delete == "protect":
                raise Conflict(
                    f"Cannot delete {collection[:-1]} {obj_id}: it is referenced by {other.collection[:-1]} "
                    f"{ref_obj['id']} ({f.name})."
                )
            if f.on_delete == "cascade":
                current = tx.get(other.collection, ref_obj["id"])
                if current is not None:
                    delete_object(req, other.collection, current)
                continue
            current = tx.get(other.collection, ref_obj["id"])
            if current is None:
                continue
            if f.kind == "ref":
                current[f.name] = None
            else:
                current[f.name] = [i for i in current.get(f.name) or [] if i != obj_id]
            tx.save(other.collection, current)
    if res is not None:
        for f in res.fields:
            if f.kind == "m2m" and f.relation:
                tx.remove_links_of(f.relation, f.side, obj_id)
    tx.delete(collection, obj_id)


def has_role(tx: Tx, user: dict[str, Any], roles: Iterable[str]) -> bool:
    """Whether the user belongs to one of the named groups (roles)."""
    wanted = set(roles)
    for gid in user.get("groups") or []:
        group = tx.get("groups", gid)
        if group is not None and group.get("name") in wanted:
            return True
    return False


def require_ref(req: Request, field: str, value: Any, target: str) -> int:
    """Resolve one URL to an existing id of ``target`` or 400 with a field-level message."""
    try:
        return Field(field, "ref", target=target).coerce(req, value)
    except FieldError as exc:
        raise BadRequest({field: exc.messages}) from None
