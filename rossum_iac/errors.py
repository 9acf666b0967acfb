"""Domain errors shared by the manifest, engine and CLI layers.

The API client has its own exception types (``rossum_iac.client.errors``) and knows nothing of these.
The CLI maps every ``RossumIacError`` to a one-line message and exit code 1 (see ``cli/errors.py``).
"""

from __future__ import annotations


class RossumIacError(Exception):
    """Base class for errors a user can act on; ``str(err)`` is the message shown to them."""


class UsageError(RossumIacError):
    """Bad command-line input (arguments, options, files named on the command line)."""


class TargetError(RossumIacError):
    """The API target could not be determined (no URL, no credentials, ...)."""
