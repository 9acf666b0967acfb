"""The stack file ``rossum.yaml`` and the environment files ``environments/<name>.yaml``.

``rossum.yaml``::

    stack: ap-automation          # name of the stack (recorded in the ownership marker of every object)
    variables: {...}              # optional defaults for ${var.NAME}
    environments:                 # optional; also environments/<name>.yaml
      dev: {variables: {...}}
      prod: {api_base_url: https://example.rossum.app/api/v1, variables: {...}}

An environment file holds ``api_base_url`` and ``variables``; its name is the file name. An environment may be
defined in one place only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rossum_iac.manifest.yaml_io import Pos, YMap, plain

STACK_FILE_NAMES = ("rossum.yaml", "rossum.yml")
ENVIRONMENTS_DIR = "environments"


@dataclass
class EnvironmentDef:
    name: str
    file: Path
    pos: Pos
    api_base_url: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    """``token_env`` / ``username_env`` + ``password_env``: the variables that hold this environment's
    credentials."""


CREDENTIAL_KEYS = ("token_env", "username_env", "password_env")


@dataclass
class StackDef:
    name: str | None = None
    file: Path | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    environments: dict[str, EnvironmentDef] = field(default_factory=dict)


API_URL_EXAMPLE = "https://example.rossum.app/api/v1"


def api_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an API base URL (``None`` when it can), as ``'url' is not an http(s) URL...``."""
    if "${" in url:
        detail = ": ${...} placeholders are not supported here"
    else:
        try:
            parts = urlsplit(url)
        except ValueError as exc:  # e.g. an unclosed IPv6 bracket
            return f"{url!r} is not an http(s) URL: {exc} (expected e.g. {API_URL_EXAMPLE})"
        try:
            port = parts.port
        except ValueError:
            port = 0
        if parts.scheme.lower() not in ("http", "https"):
            detail = ""
        elif not parts.hostname:
            detail = ": it has no host name"
        elif port == 0:
            detail = ": the port is not a number from 1 to 65535"
        elif parts.username is not None or parts.password is not None:
            return (
                f"{redact_userinfo(url)!r}: a user name or password in the URL is not supported; set ROSSUM_USERNAME "
                "and ROSSUM_PASSWORD (or ROSSUM_API_TOKEN) instead"
            )
        else:
            return None
    return f"{redact_userinfo(url)!r} is not an http(s) URL{detail} (expected e.g. {API_URL_EXAMPLE})"


def redact_userinfo(url: str) -> str:
    """``https://user:secret@host/x`` -> ``https://***@host/x``: a URL fit to show."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rsplit("@", 1)[1]
    return f"{scheme}{sep}{authority}{slash}{path}"


def environment_from(name: str, data: Any, file: Path, pos: Pos) -> EnvironmentDef:
    """An environment definition from validated data (``None`` means an empty environment)."""
    env = EnvironmentDef(name, file, pos)
    if isinstance(data, YMap):
        url = data.get("api_base_url")
        env.api_base_url = url if isinstance(url, str) else None
        variables = data.get("variables")
        if isinstance(variables, dict):
            env.variables = plain(variables)
        env.credentials = {k: data[k] for k in CREDENTIAL_KEYS if isinstance(data.get(k), str)}
    return env
