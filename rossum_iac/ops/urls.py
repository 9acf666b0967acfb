"""Object ids from API URLs (``.../annotations/12`` -> 12), without reaching into the client's private modules."""

from __future__ import annotations

from urllib.parse import urlsplit


def id_from_url(url: str) -> int:
    """The last numeric path segment of ``url``; ``ValueError`` when there is none."""
    for segment in reversed([s for s in urlsplit(url).path.split("/") if s]):
        if segment.isdigit():
            return int(segment)
    raise ValueError(f"no numeric id in URL {url!r}")
