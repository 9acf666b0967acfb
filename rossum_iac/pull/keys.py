"""Keys for pulled objects: from names, stable across pulls and across organizations.

- An object this stack already owns keeps the key in its ownership marker (or registry record).
- Otherwise the key is its name slugified: lowercase ASCII letters and digits, other characters become ``-``
  (accents are dropped: ``Faktury ČZ`` -> ``faktury-cz``); a name with nothing left becomes the kind's name.
  An email template's key starts with its queue's key (every queue has templates of the same names).
- Collisions within a kind are resolved deterministically: the object with the lowest id keeps the plain key, the
  others get ``-2``, ``-3``... in id order. No id ever appears in a key, so pulling the same organization twice,
  or an organization the stack was applied to, gives the same keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping

from rossum_iac.kinds.base import KEY_MAX_LENGTH

_NOT_KEY = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_KEY.sub("-", ascii_text.lower()).strip("-")
    slug = slug[: KEY_MAX_LENGTH - 4].rstrip("-")  # room for a "-NNN" suffix
    return slug or fallback


def assign_keys(items: Iterable[tuple[int, str]], taken: Mapping[str, int] | None = None) -> dict[int, str]:
    """``(id, wanted key)`` pairs -> id -> unique key. ``taken`` holds keys already in use (by owned objects)."""
    used: dict[str, int] = dict(taken or {})
    out: dict[int, str] = {}
    for obj_id, wanted in sorted(items):
        key = wanted
        counter = 2
        while key in used:
            key = f"{wanted}-{counter}"
            counter += 1
        used[key] = obj_id
        out[obj_id] = key
    return out


KeyOf = Callable[[str, int], str | None]
"""(kind, id) -> the key of a pulled object, or None."""
