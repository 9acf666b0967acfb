"""File bytes (document originals, raw emails) as SQLite BLOBs, read back in chunks.

Kept out of the JSON ``objects`` table so that listing documents never loads file contents. The table
is created on first use (``CREATE TABLE IF NOT EXISTS``) inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rossum_iac.emulator.store import Store, Tx

CHUNK = 256 * 1024
_DDL = (
    "CREATE TABLE IF NOT EXISTS blobs (kind TEXT NOT NULL, id INTEGER NOT NULL, data BLOB NOT NULL, "
    "PRIMARY KEY (kind, id))"
)


def put(tx: Tx, kind: str, obj_id: int, data: bytes) -> None:
    tx.conn.execute(_DDL)
    tx.conn.execute("INSERT OR REPLACE INTO blobs (kind, id, data) VALUES (?, ?, ?)", (kind, obj_id, data))


def delete(tx: Tx, kind: str, obj_id: int) -> None:
    tx.conn.execute(_DDL)
    tx.conn.execute("DELETE FROM blobs WHERE kind = ? AND id = ?", (kind, obj_id))


def size(tx: Tx, kind: str, obj_id: int) -> int | None:
    tx.conn.execute(_DDL)
    row = tx.conn.execute("SELECT length(data) FROM blobs WHERE kind = ? AND id = ?", (kind, obj_id)).fetchone()
    return None if row is None else int(row[0])


def read_all(tx: Tx, kind: str, obj_id: int) -> bytes | None:
    tx.conn.execute(_DDL)
    row = tx.conn.execute("SELECT data FROM blobs WHERE kind = ? AND id = ?", (kind, obj_id)).fetchone()
    return None if row is None else bytes(row[0])


def stream(store: Store, kind: str, obj_id: int, total: int) -> Iterator[bytes]:
    """Yield the blob in chunks, each read in its own short transaction (the request's has ended)."""
    offset = 0
    while offset < total:
        with store.transaction() as tx:
            row = tx.conn.execute(
                "SELECT substr(data, ?, ?) FROM blobs WHERE kind = ? AND id = ?", (offset + 1, CHUNK, kind, obj_id)
            ).fetchone()
        if row is None or not row[0]:
            return
        chunk = bytes(row[0])
        offset += len(chunk)
        yield chunk
