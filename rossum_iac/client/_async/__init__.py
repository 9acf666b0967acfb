"""Async client (source of truth; ``_sync`` is generated from it by ``tools/unasync.py``)."""
