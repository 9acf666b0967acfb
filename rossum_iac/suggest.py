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


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def typo_of(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The choice ``word`` is a typo of, or None: the same name in other letter case, or one or two letters wrong
    (missing, extra, replaced or swapped; one for names under seven letters). Deliberately narrower than
    ``suggest``: a new API field of another name must not be taken for a typo."""
    lowered = word.lower()
    best: tuple[int, str] | None = None
    for choice in sorted(choices):
        allowed = 1 if len(choice) < 7 else 2
        distance = edit_distance(lowered, choice.lower())
        if distance <= allowed and (best is None or distance < best[0]):
            best = (distance, choice)
    return best[1] if best is not None else None
