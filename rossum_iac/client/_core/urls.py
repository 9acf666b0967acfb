"""URL joining and id parsing.

Unlike the SDK's ``enforce_domain`` (K18) joining never produces ``//`` and parsing ids tolerates trailing
slashes, query strings and fragments.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def normalize_base_url(base_url: str) -> str:
    """``base_url`` without trailing slashes; must be an absolute http(s) URL."""
    if not is_absolute(base_url):
        raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
    return base_url.rstrip("/")


def is_absolute(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def join_url(base_url: str, url: str) -> str:
    """Absolute URLs are kept as-is (API-returned hrefs); relative ones are joined to ``base_url``.

    ``join_url("http://h/api/v1/", "/queues/1")`` and ``join_url("http://h/api/v1", "queues/1")`` both give
    ``http://h/api/v1/queues/1``.
    """
    if is_absolute(url):
        return url
    return f"{base_url.rstrip('/')}/{url.lstrip('/')}"


def _segments(url: str) -> list[str]:
    return [s for s in urlsplit(url).path.split("/") if s]


def id_from_url(url: str) -> int:
    """The id of the object a URL points to: its last numeric path segment.

    ``.../annotations/12``, ``.../annotations/12/``, ``.../annotations/12/content`` and
    ``.../annotations/12?x=1`` all give 12; ``.../annotations/12/content/345`` gives 345.
    """
    for segment in reversed(_segments(url)):
        if segment.isdigit():
            return int(segment)
    raise ValueError(f"no numeric id in URL {url!r}")


def parent_id_from_url(url: str, collection: str) -> int:
    """The id following the ``collection`` segment, e.g. the annotation id of a datapoint URL
    (``parent_id_from_url(".../annotations/12/content/345", "annotations") == 12``)."""
    segments = _segments(url)
    for i, segment in enumerate(segments[:-1]):
        if segment == collection and segments[i + 1].isdigit():
            return int(segments[i + 1])
    raise ValueError(f"no {collection}/<id> in URL {url!r}")
