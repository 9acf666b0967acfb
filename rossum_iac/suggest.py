"""Did-you-mean hints for mistyped names (kinds, fields, keys, options)."""

from __future__ import annotations

import difflib


def suggest(word: str, choices: list[str] | tuple[str, ...] | set[str], cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    if not matches:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f" (did you mean '{matches[0]}'?)" if matches else ""
