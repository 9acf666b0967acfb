"""Sync client: generated from ``_async`` by ``tools/unasync.py`` (except the hand-written ``_concurrency``)."""
