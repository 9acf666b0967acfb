"""Manifest problems with their position, and the exception that carries all of them at once.

A problem is an error (the manifests cannot be used) or a warning (they can, but something deserves a look: a field
rossum-iac does not know, passed through to the API as written). ``ManifestErrors`` carries errors only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rossum_iac.errors import RossumIacError

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class ManifestError:
    """One problem in the manifests: where (1-based line and column; 0 when unknown) and what, in words."""

    file: Path
    line: int
    column: int
    message: str
    severity: str = ERROR
    """``error`` or ``warning``."""

    @property
    def location(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return str(self.file)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (str(self.file), self.line, self.column, self.message)

    def to_dict(self) -> dict[str, Any]:
        """For JSON output (errors and warnings are listed apart, so the severity is not repeated)."""
        return {"file": str(self.file), "line": self.line, "column": self.column, "message": self.message}


def sort_errors(errors: Iterable[ManifestError]) -> list[ManifestError]:
    """Sorted by file, line and column; exact duplicates removed."""
    return sorted(set(errors), key=ManifestError.sort_key)


class ManifestErrors(RossumIacError):
    """Every problem found in the manifests (not just the first), sorted by file and line."""

    def __init__(self, errors: Iterable[ManifestError]):
        self.errors: list[ManifestError] = sort_errors(errors)
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [str(err) for err in self.errors]
        count = len(self.errors)
        lines.append(f"{count} error{'s' if count != 1 else ''} in the manifests; nothing was sent to the API.")
        return "\n".join(lines)
