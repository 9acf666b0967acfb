"""SQLite state: one generic ``objects(collection, id, data JSON)`` table, id sequences, M2M links, tokens.

Every request runs in ONE transaction (``Store.transaction()``): commit on success, rollback on any
exception, so a failed or faulted request changes nothing and a crash never leaves half an object.
One connection serialised by a lock: simple, correct for ``:memory:`` across threads, and fast enough
(requests hold the lock for well under a millisecond; latency injection sleeps outside it). Concurrent
requests therefore never see each other's half-done writes. Only another *process* using the same DB file
can hold SQLite's write lock: a write then waits up to ``busy_timeout_s`` (5 s) and the server answers
503 ``Retry-After: 1`` (background tasks retry by themselves).

Objects are stored as JSON with references as integer ids (never URLs: the base URL depends on the
port the server happens to listen on). Keys starting with ``_`` are private (write-only fields,
password hashes): never rendered.

Column fields: the top-level fields in :data:`COLUMN_FIELDS` (references, ``status``, common sort keys) are
also copied into columns ``f_<field>`` of the row on every write, and :func:`field_sql` names the column
instead of ``json_extract(data, ...)``. With SQLite < 3.41 an index on a JSON expression never covers a
query: counting or skipping N rows re-parses N JSON documents, which made every page of a large list cost
O(N). Column indexes ``(collection, f_<field>)`` (+ the primary key ``id``) answer counts, filters and
``ORDER BY id`` pages from the index alone. Older DB files get the columns added and filled when opened.
"""

from __future__ import annotations

import collections
import json
import sqlite3
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rossum_iac.emulator.http import NotFound

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    collection TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (collection, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sequences (collection TEXT PRIMARY KEY, next_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS links (
    rel TEXT NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL,
    PRIMARY KEY (rel, a, b)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS links_by_b ON links (rel, b, a);
CREATE TABLE IF NOT EXISTS tokens (
    key TEXT PRIMARY KEY, user_id INTEGER NOT NULL, created_at REAL NOT NULL, expires_at REAL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_JSON_FIELD = "json_extract(data, '$.{}')"

INDEXED_FIELDS = (
    # every reference field of a registered resource (filters, reverse lookups, ``on_delete``)
    "annotation", "confirmed_by", "connector", "created_by", "creator", "dedicated_engine", "deleted_by", "document",
    "email",
    "engine", "exported_by", "generic_engine", "hook_template", "inbox", "modified_by", "modifier",
    "organization", "organization_group", "parent", "purged_by", "queue", "rejected_by", "schema",
    "token_owner", "workspace",
    # lookups of the documents side
    "status", "_md5", "_upload",
)  # fmt: skip
"""Column fields with an index ``(collection, f_<field>)``."""
SORT_FIELDS = ("name", "type", "created_at", "modified_at", "_arrived_at")
"""Column fields without an index: frequent sort keys (sorting reads a column, not a JSON document)."""
COLUMN_FIELDS = INDEXED_FIELDS + SORT_FIELDS
_COMPOSITE_INDEXES = {"objects_by_queue_status": ("queue", "status")}  # queue counts, export filters
_INDEX_HINTS = {"status": "1000000 50000 5000"}  # few distinct values: less selective than a reference

SQLITE_MAX_INT = 2**63 - 1
"""Largest INTEGER SQLite stores; a larger id names no object (binding it raises OverflowError)."""


def fits_sqlite(value: Any) -> bool:
    """False for an int SQLite cannot bind (an id that large names no object)."""
    return not isinstance(value, int) or -SQLITE_MAX_INT - 1 <= value <= SQLITE_MAX_INT


def dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def first_id(collection: str) -> int:
    """Each collection starts at its own id range so a client mixing up ids of two kinds gets a 404."""
    return 1000 + (zlib.crc32(collection.encode()) % 900) * 1000


class Store:
    """Thread-safe SQLite store. ``path`` is a file path or ``":memory:"``."""

    def __init__(self, path: str | Path = ":memory:", *, busy_timeout_s: float = 5.0) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, timeout=busy_timeout_s, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA foreign_keys = OFF")
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.executescript(_SCHEMA)
        self._add_columns()
        self._indexed: set[str] = set()
        self._pending_indexed: set[str] = set()  # created inside the open transaction: cached only on COMMIT
        self._closed = False
        self._depth = 0
        self._tx_start_changes = -1  # conn.total_changes at BEGIN of the open transaction
        self.memo: collections.OrderedDict[Any, tuple[Any, Any]] = collections.OrderedDict()

    def _add_columns(self) -> None:
        """Create the column fields' columns and indexes (filling the columns of an older DB file from ``data``),
        drop the JSON-expression indexes they replace, and give the planner its hints."""
        conn = self._conn
        present = {row[1] for row in conn.execute("PRAGMA table_info(objects)")}
        missing = [f for f in COLUMN_FIELDS if column_name(f) not in present]
        if missing:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for f in missing:
                    conn.execute(f"ALTER TABLE objects ADD COLUMN {column_name(f)}")
                assignments = ", ".join(f"{column_name(f)} = {_JSON_FIELD.format(f)}" for f in missing)
                conn.execute(f"UPDATE objects SET {assignments}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        conn.execute("ANALYZE meta")  # creates sqlite_stat1 if missing (meta is tiny)
        hints = {"sqlite_autoindex_objects_1": "1000000 50000 1"}
        for f in INDEXED_FIELDS:
            conn.execute(f"DROP INDEX IF EXISTS objects_f_{f}")  # the JSON-expression index of older versions
            conn.execute(f"CREATE INDEX IF NOT EXISTS objects_by_{f} ON objects (collection, {column_name(f)})")
            hints[f"objects_by_{f}"] = _INDEX_HINTS.get(f, "1000000 50000 20")
        for name, fields in _COMPOSITE_INDEXES.items():
            columns = ", ".join(map(column_name, fields))
            conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON objects (collection, {columns})")
            hints[name] = "1000000 50000 20 5"
        for index, stat in hints.items():
            conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'objects' AND idx = ?", (index,))
            conn.execute("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('objects', ?, ?)", (index, stat))
        conn.execute("ANALYZE sqlite_schema")  # reload the statistics

    def ensure_field_index(self, field: str) -> None:
        """Index ``(collection, data.field)`` so lookups like "queues of workspace 7" do not scan (column fields
        are indexed already).

        Planner hints are written to ``sqlite_stat1`` (a collection holds many objects, a field value few):
        without statistics SQLite prefers the primary key and scans the whole collection. Inside a
        transaction the index is cached only when it commits: a rollback drops it, so it is created again.
        """
        if field in COLUMN_FIELDS or field in self._indexed or field in self._pending_indexed:
            return
        if not field.isidentifier():
            return
        name = f"objects_f_{field}"
        with self._lock:
            self._conn.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON objects (collection, {_JSON_FIELD.format(field)})"
            )
            self._conn.execute("ANALYZE meta")  # creates sqlite_stat1 if missing (meta is tiny)
            hints = {"sqlite_autoindex_objects_1": "1000000 50000 1", name: "1000000 50000 20"}
            for index, stat in hints.items():
                self._conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'objects' AND idx = ?", (index,))
                self._conn.execute("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('objects', ?, ?)", (index, stat))
            self._conn.execute("ANALYZE sqlite_schema")  # reload the statistics
            (self._pending_indexed if self._depth else self._indexed).add(field)

    def set_busy_timeout(self, seconds: float) -> None:
        """How long a write waits for another connection (another process on the same file) to release the
        database before ``sqlite3.OperationalError: database is locked`` (the server answers 503)."""
        with self._lock:
            self._conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One atomic unit of work; nested calls join the outer transaction."""
        with self._lock:
            if self._closed:
                raise RuntimeError("store is closed")
            if self._depth:
                self._depth += 1
                try:
                    yield Tx(self._conn, self)
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            self._tx_start_changes = self._conn.total_changes
            try:
                yield Tx(self._conn, self)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
                self._indexed |= self._pending_indexed
            finally:
                self._pending_indexed.clear()
                self._depth = 0
                self._tx_start_changes = -1

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()


MEMO_SIZE = 512
_ID_ORDERS = {"id": ">", "id ASC": ">", "id DESC": "<"}


class Tx:
    """Operations inside one transaction. Objects are plain dicts that always contain ``id``.

    Paging memo (``memo=True`` on :meth:`count` / :meth:`select_ids`): a page walk asks for the same count on
    every page and for the page that follows the previous one. While the database is unchanged (no write by
    this connection since, none by another process: ``PRAGMA data_version``), the count is answered from
    memory, and the next page of an ``id``-ordered query starts after the last id of the previous one (keyset:
    ``id > last`` instead of ``OFFSET``). So each page of a walk costs the same, however long the list.
    Nothing is remembered from a transaction that has written (it could still roll back).
    """

    def __init__(self, conn: sqlite3.Connection, store: Store | None = None) -> None:
        self.conn = conn
        self.store = store

    def _snapshot(self) -> Any:
        """A token that changes with every write, or None when memoising is off for this transaction."""
        store = self.store
        if store is None or self.conn.total_changes != store._tx_start_changes:
            return None
        if store.path == ":memory:":
            return self.conn.total_changes
        return self.conn.total_changes, self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _recall(self, key: Any, snapshot: Any) -> Any:
        assert self.store is not None
        hit = self.store.memo.get(key)
        if hit is None or hit[0] != snapshot:
            return None
        self.store.memo.move_to_end(key)
        return hit[1]

    def _remember(self, key: Any, snapshot: Any, value: Any) -> None:
        assert self.store is not None
        memo = self.store.memo
        memo[key] = (snapshot, value)
        memo.move_to_end(key)
        while len(memo) > MEMO_SIZE:
            memo.popitem(last=False)

    # ------------------------------------------------------------------ objects
    def get(self, collection: str, obj_id: int) -> dict[str, Any] | None:
        if not fits_sqlite(obj_id):
            return None
        row = self.conn.execute(
            "SELECT data FROM objects WHERE collection = ? AND id = ?", (collection, obj_id)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def require(self, collection: str, obj_id: int) -> dict[str, Any]:
        obj = self.get(collection, obj_id)
        if obj is None:
            raise NotFound()
        return obj

    def exists(self, collection: str, obj_id: int) -> bool:
        if not fits_sqlite(obj_id):
            return False
        return (
            self.conn.execute("SELECT 1 FROM objects WHERE collection = ? AND id = ?", (collection, obj_id)).fetchone()
            is not None
        )

    def next_id(self, collection: str) -> int:
        row = self.conn.execute("SELECT next_id FROM sequences WHERE collection = ?", (collection,)).fetchone()
        new_id = row[0] if row else first_id(collection)
        self.conn.execute(
            "INSERT INTO sequences (collection, next_id) VALUES (?, ?) "
            "ON CONFLICT (collection) DO UPDATE SET next_id = excluded.next_id",
            (collection, new_id + 1),
        )
        return int(new_id)

    def insert(self, collection: str, data: dict[str, Any], obj_id: int | None = None) -> dict[str, Any]:
        """Insert ``data`` (a new id is assigned unless given); returns the stored dict (with ``id``)."""
        if obj_id is None:
            obj_id = self.next_id(collection)
        else:
            row = self.conn.execute("SELECT next_id FROM sequences WHERE collection = ?", (collection,)).fetchone()
            if row is None or row[0] <= obj_id:
                self.conn.execute(
                    "INSERT INTO sequences (collection, next_id) VALUES (?, ?) "
                    "ON CONFLICT (collection) DO UPDATE SET next_id = excluded.next_id",
                    (collection, max(obj_id + 1, first_id(collection))),
                )
        data = {**data, "id": obj_id}
        self.conn.execute(_INSERT_SQL, (collection, obj_id, dumps(data), *column_values(data)))
        return data

    def save(self, collection: str, data: dict[str, Any]) -> dict[str, Any]:
        """Replace the stored object with ``data`` (which carries its ``id``)."""
        cur = self.conn.execute(_UPDATE_SQL, (dumps(data), *column_values(data), collection, data["id"]))
        if cur.rowcount == 0:
            raise NotFound()
        return data

    def delete(self, collection: str, obj_id: int) -> None:
        self.conn.execute("DELETE FROM objects WHERE collection = ? AND id = ?", (collection, obj_id))

    def select(
        self,
        collection: str,
        where: str = "",
        params: Sequence[Any] = (),
        order_by: str = "id",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Objects of a collection; ``where`` is an SQL condition over ``data`` (use :func:`field_sql`)."""
        sql = "SELECT data FROM objects WHERE collection = ?"
        if where:
            sql += f" AND ({where})"
        sql += f" ORDER BY {order_by}"
        args: list[Any] = [collection, *params]
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit, offset]
        return [json.loads(row[0]) for row in self.conn.execute(sql, args)]

    def select_ids(
        self,
        collection: str,
        where: str = "",
        params: Sequence[Any] = (),
        order_by: str = "id",
        limit: int | None = None,
        offset: int = 0,
        *,
        memo: bool = False,
    ) -> list[int]:
        """Ids only: with column fields in ``where``/``order_by`` the query reads no JSON and, ordered by id,
        a page is found in an index without visiting the rows it skips. ``memo``: see the class docstring."""
        snapshot = self._snapshot() if memo and limit is not None and order_by in _ID_ORDERS else None
        key: Any = None
        after = None
        if snapshot is not None:
            try:
                key = ("after", collection, where, tuple(params), order_by, limit)
                hash(key)
            except TypeError:
                snapshot = None
            else:
                after = self._recall((*key, offset), snapshot) if offset else None
        sql = "SELECT id FROM objects WHERE collection = ?"
        args: list[Any] = [collection, *params]
        if where:
            sql += f" AND ({where})"
        if after is not None:
            sql += f" AND id {_ID_ORDERS[order_by]} ?"
            args.append(after)
        sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit, 0 if after is not None else offset]
        ids = [int(row[0]) for row in self.conn.execute(sql, args)]
        if snapshot is not None and limit is not None and len(ids) == limit:
            self._remember((*key, offset + limit), snapshot, ids[-1])
        return ids

    def get_many(self, collection: str, ids: Sequence[int]) -> list[dict[str, Any]]:
        """The objects with these ids, in the order given (missing ones left out)."""
        if not ids:
            return []
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = [i for i in ids[start : start + 500] if fits_sqlite(i)]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT id, data FROM objects WHERE collection = ? AND id IN ({marks})", [collection, *chunk]
            )
            found.update((int(row[0]), json.loads(row[1])) for row in rows)
        return [found[i] for i in ids if i in found]

    def count(self, collection: str, where: str = "", params: Sequence[Any] = (), *, memo: bool = False) -> int:
        snapshot = self._snapshot() if memo else None
        key: Any = None
        if snapshot is not None:
            try:
                key = ("count", collection, where, tuple(params))
                hash(key)
            except TypeError:
                snapshot = None
            else:
                known = self._recall(key, snapshot)
                if known is not None:
                    return int(known)
        sql = "SELECT COUNT(*) FROM objects WHERE collection = ?"
        if where:
            sql += f" AND ({where})"
        total = int(self.conn.execute(sql, [collection, *params]).fetchone()[0])
        if snapshot is not None:
            self._remember(key, snapshot, total)
        return total

    def ids_where(self, collection: str, field: str, value: Any) -> list[int]:
        """Ids of objects whose scalar ``field`` equals ``value`` (e.g. queues with workspace == 7)."""
        rows = self.conn.execute(
            f"SELECT id FROM objects WHERE collection = ? AND {field_sql(field)} = ? ORDER BY id",
            (collection, value),
        )
        return [r[0] for r in rows]

    def find(self, collection: str, **equals: Any) -> list[dict[str, Any]]:
        """Objects whose fields equal the given values (None matches JSON null / missing)."""
        clauses: list[str] = []
        params: list[Any] = []
        for name, value in equals.items():
            if value is None:
                clauses.append(f"{field_sql(name)} IS NULL")
            else:
                clauses.append(f"{field_sql(name)} = ?")
                params.append(value)
        return self.select(collection, " AND ".join(clauses), params)

    # -------------------------------------------------------------------- links (M2M)
    def link_ids(self, rel: str, side: str, obj_id: int) -> list[int]:
        """For relation ``rel`` stored as pairs (a, b): the b's of a (side="a") or the a's of b (side="b")."""
        if side == "a":
            rows = self.conn.execute("SELECT b FROM links WHERE rel = ? AND a = ? ORDER BY b", (rel, obj_id))
        else:
            rows = self.conn.execute("SELECT a FROM links WHERE rel = ? AND b = ? ORDER BY a", (rel, obj_id))
        return [r[0] for r in rows]

    def set_links(self, rel: str, side: str, obj_id: int, others: Sequence[int]) -> None:
        if side == "a":
            self.conn.execute("DELETE FROM links WHERE rel = ? AND a = ?", (rel, obj_id))
            self.conn.executemany(
                "INSERT OR IGNORE INTO links (rel, a, b) VALUES (?, ?, ?)", [(rel, obj_id, o) for o in others]
            )
        else:
            self.conn.execute("DELETE FROM links WHERE rel = ? AND b = ?", (rel, obj_id))
            self.conn.executemany(
                "INSERT OR IGNORE INTO links (rel, a, b) VALUES (?, ?, ?)", [(rel, o, obj_id) for o in others]
            )

    def add_link(self, rel: str, a: int, b: int) -> None:
        self.conn.execute("INSERT OR IGNORE INTO links (rel, a, b) VALUES (?, ?, ?)", (rel, a, b))

    def remove_links_of(self, rel: str, side: str, obj_id: int) -> None:
        self.conn.execute(f"DELETE FROM links WHERE rel = ? AND {'a' if side == 'a' else 'b'} = ?", (rel, obj_id))

    # ------------------------------------------------------------------------- tokens
    def add_token(self, key: str, user_id: int, created_at: float, expires_at: float | None) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO tokens (key, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (key, user_id, created_at, expires_at),
        )

    def token_user(self, key: str, now: float) -> int | None:
        row = self.conn.execute("SELECT user_id, expires_at FROM tokens WHERE key = ?", (key,)).fetchone()
        if row is None or (row[1] is not None and row[1] <= now):
            return None
        return int(row[0])

    def delete_token(self, key: str) -> None:
        self.conn.execute("DELETE FROM tokens WHERE key = ?", (key,))

    def delete_user_tokens(self, user_id: int, keep: str | None = None) -> None:
        self.conn.execute("DELETE FROM tokens WHERE user_id = ? AND key IS NOT ?", (user_id, keep))

    # --------------------------------------------------------------------------- meta
    def meta_get(self, key: str) -> Any:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def meta_set(self, key: str, value: Any) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, dumps(value)))


def field_sql(field: str) -> str:
    """SQL expression for a top-level JSON field (``field`` must be an identifier: never user input); the
    column of a column field (same value: what ``json_extract`` gives)."""
    if field in COLUMN_FIELDS:
        return column_name(field)
    if not field.replace(".", "_").isidentifier():
        raise ValueError(f"bad field name {field!r}")
    return _JSON_FIELD.format(field)


def column_name(field: str) -> str:
    return f"f_{field}"


def _column_value(value: Any) -> Any:
    """What ``json_extract`` returns for a JSON value: booleans 1/0, integers beyond 64 bits as floats,
    objects and arrays as JSON text."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and not -SQLITE_MAX_INT - 1 <= value <= SQLITE_MAX_INT:
        return float(value)
    if isinstance(value, dict | list):
        return dumps(value)
    return value


def column_values(data: dict[str, Any]) -> list[Any]:
    return [_column_value(data.get(f)) for f in COLUMN_FIELDS]


_INSERT_SQL = (
    f"INSERT INTO objects (collection, id, data, {', '.join(map(column_name, COLUMN_FIELDS))}) "
    f"VALUES (?, ?, ?{', ?' * len(COLUMN_FIELDS)})"
)
_UPDATE_SQL = (
    f"UPDATE objects SET data = ?, {', '.join(f'{column_name(f)} = ?' for f in COLUMN_FIELDS)} "
    "WHERE collection = ? AND id = ?"
)
