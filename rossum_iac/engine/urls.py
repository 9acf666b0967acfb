"""API URLs as the engine compares them: by the part that identifies an object (``queues/12``), so hosts and ports
never cause a difference."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit


@lru_cache(maxsize=65536)
def url_tail(url: str) -> str:
    """``https://x/api/v1/queues/12?x=1`` -> ``queues/12``: the part of a URL that identifies an object.

    Memoised: a plan asks for the tails of the same few thousand URLs many times (``urlsplit``'s own cache holds
    only 128 entries)."""
    path = urlsplit(url).path.rstrip("/")
    parts = path.split("/")
    if len(parts) >= 2:
        return f"{parts[-2]}/{parts[-1]}"
    return path


def id_from_url(url: str) -> int | None:
    tail = url_tail(url).rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def is_api_url(value: Any) -> bool:
    """Whether a string looks like the URL of an API object (``.../api/v1/<collection>/<id>``)."""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return False
    path = urlsplit(value).path.rstrip("/")
    return "/v1/" in path and path.rsplit("/", 1)[-1].isdigit()
