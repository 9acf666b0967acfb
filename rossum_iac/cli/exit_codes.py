"""Exit codes used by every command (Terraform's convention)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Success; for ``plan --detailed-exitcode`` and ``drift``: no changes."""
    ERROR = 1
    """Any error: bad input, API failure, failed apply."""
    CHANGES = 2
    """Success with changes present (``plan --detailed-exitcode``) or drift detected (``drift``)."""
