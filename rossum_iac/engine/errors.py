"""Errors raised by the engine. Each ``str()`` is a complete message for a person (see ``cli/errors.py``)."""

from __future__ import annotations

from collections.abc import Iterable

from rossum_iac.errors import RossumIacError


class EngineError(RossumIacError):
    """Base class of engine errors."""


class PlanError(EngineError):
    """The plan cannot be made (protected objects to delete, objects still in use, bad --target ...).

    Every problem found is listed, not only the first one.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1:
            return f"cannot make a plan: {self.problems[0]}"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"cannot make a plan ({len(self.problems)} problems):\n{lines}"


class StalePlanError(EngineError):
    """A saved plan no longer matches the manifests or the live organization."""


class PlanFileError(EngineError):
    """A plan file cannot be read (missing, not JSON, unsupported format version)."""


class AdoptError(EngineError):
    """``import`` cannot adopt the object (unknown key, owned by someone else, ...)."""
