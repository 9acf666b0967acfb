"""Placeholders in manifest strings: ``${var.NAME}``, ``${env.NAME}`` and ``${ref.KIND.KEY.id|url}``.

- ``${var.NAME}`` is replaced at load time by the variable's value (from the selected environment, else the stack
  defaults). A string that is exactly one ``${var.NAME}`` takes the variable's YAML type (number, list...).
- ``${env.NAME}`` reads the process environment and becomes a ``Secret`` (a ``Template`` part when embedded in
  longer text). Values are never put into messages.
- ``${ref.KIND.KEY.id|url}`` becomes a ``RefPlaceholder`` inside a ``Template``; the engine resolves it per
  environment.
- ``$${`` is a literal ``${`` (``$${env.X}`` stays the text ``${env.X}``); pull writes every ``${`` it finds in
  live values this way. Other ``${...}`` text (for example JavaScript template literals) is left alone.

String variable values may themselves use ``${env...}`` and ``${ref...}`` (not ``${var...}``), so an environment
can choose which secret or object a manifest uses.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rossum_iac.kinds import KIND_NAMES
from rossum_iac.kinds.base import KEY_PATTERN, NAME_PATTERN
from rossum_iac.manifest.model import Ref, RefPlaceholder, Secret, Template, TemplatePart
from rossum_iac.suggest import suggest

_PLACEHOLDER_RE = re.compile(r"\$?\$\{(var|env|ref)\.([^{}]*)\}")
_LOOSE_RE = re.compile(r"(?<!\$)\$\{\s*(var|env|ref)\s*[.}]|(?<!\$)\$\{\s+(var|env|ref)\b")
_NAME_RE = re.compile(NAME_PATTERN)
_KEY_RE = re.compile(KEY_PATTERN)

_KIND_ALIASES: dict[str, str] = {}
for _kind in KIND_NAMES:
    _KIND_ALIASES[_kind.lower()] = _kind
    _KIND_ALIASES[re.sub(r"(?<!^)(?=[A-Z])", "_", _kind).lower()] = _kind  # email_template


def canonical_kind(name: str) -> str | None:
    return _KIND_ALIASES.get(name.lower())


@dataclass
class Variables:
    """What placeholders resolve against."""

    values: Mapping[str, Any]
    environ: Mapping[str, str]
    environment: str | None = None
    """Selected environment, for messages."""
    environments: tuple[str, ...] = ()
    """All environments the stack defines, for messages."""
    missing_env: str = "error"
    """``warning``: a ``${env.NAME}`` that is not set is reported through the ``warn`` of ``Resolver.resolve`` and
    read as an empty secret (``validate`` without secrets); ``error``: it is an error."""


Report = Callable[[int, str], None]
"""Called with (offset in the string, message) for each problem found."""


class Resolver:
    """Resolves placeholders in strings; problems are reported, never raised."""

    def __init__(self, variables: Variables):
        self.vars = variables
        self._warn: Report | None = None

    def resolve(
        self,
        text: str,
        report: Report,
        on_ref: Callable[[Ref, int], None] | None = None,
        warn: Report | None = None,
    ) -> Any:
        """``text`` with placeholders resolved: a str, a ``Secret``, a ``Template`` or a variable's value.

        ``warn`` receives what is only a warning (an unset ``${env.NAME}`` when ``missing_env`` is ``warning``)."""
        if "${" not in text:
            return text
        self._warn = warn
        try:
            return self._resolve(text, report, on_ref, allow_var=True, var_name=None)
        finally:
            self._warn = None

    def _resolve(
        self,
        text: str,
        report: Report,
        on_ref: Callable[[Ref, int], None] | None,
        *,
        allow_var: bool,
        var_name: str | None,
    ) -> Any:
        parts: list[TemplatePart] = []
        last = 0
        whole = False
        matches = list(_PLACEHOLDER_RE.finditer(text))
        for match in matches:
            literal = text[last : match.start()]
            self._check_malformed(literal, last, report, var_name)
            parts.append(literal.replace("$${", "${"))
            last = match.end()
            token = match.group(0)
            if token.startswith("$$"):
                parts.append(token[1:])
                continue
            namespace, body = match.group(1), match.group(2)
            whole = len(matches) == 1 and match.start() == 0 and match.end() == len(text)
            offset = match.start()
            where = f" (in the value of variable {var_name})" if var_name else ""
            if namespace == "var":
                if not allow_var:
                    report(offset, f"variables cannot refer to other variables: {token}{where}")
                    parts.append(token)
                    continue
                value = self._variable(body, token, offset, report)
                if value is _MISSING:
                    parts.append(token)
                    continue
                value = self._resolve_value(copy.deepcopy(value), report, on_ref, body)
                if whole:
                    return value
                if isinstance(value, Template):
                    parts.extend(value.parts)
                elif isinstance(value, Secret):
                    parts.append(value)
                elif isinstance(value, dict | list):
                    kind = "mapping" if isinstance(value, dict) else "list"
                    report(
                        offset,
                        f"variable {body} holds a {kind}, so {token} must be the whole value, not part of a text",
                    )
                    parts.append(token)
                else:
                    parts.append(value if isinstance(value, str) else _scalar_text(value))
            elif namespace == "env":
                secret = self._secret(body, token, offset, report, where)
                if secret is None:
                    parts.append(token)
                    continue
                if whole:
                    return secret
                parts.append(secret)
            else:
                placeholder = self._ref(body, token, offset, report, where)
                if placeholder is None:
                    parts.append(token)
                    continue
                if on_ref is not None:
                    on_ref(placeholder.ref, offset)
                parts.append(placeholder)
        tail = text[last:]
        self._check_malformed(tail, last, report, var_name)
        parts.append(tail.replace("$${", "${"))
        return _assemble(parts)

    def _resolve_value(
        self, value: Any, report: Report, on_ref: Callable[[Ref, int], None] | None, var_name: str
    ) -> Any:
        """A variable's value with ``${env...}``/``${ref...}`` in its strings resolved."""
        if isinstance(value, str):
            if "${" not in value:
                return value
            return self._resolve(value, report, on_ref, allow_var=False, var_name=var_name)
        if isinstance(value, dict):
            return {k: self._resolve_value(v, report, on_ref, var_name) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve_value(v, report, on_ref, var_name) for v in value]
        return value

    def _check_malformed(self, literal: str, base: int, report: Report, var_name: str | None) -> None:
        if "${" not in literal:
            return
        for bad in _LOOSE_RE.finditer(literal):
            end = literal.find("}", bad.start())
            snippet = literal[bad.start() : end + 1 if end >= 0 else bad.start() + 20]
            where = f" (in the value of variable {var_name})" if var_name else ""
            report(
                base + bad.start(),
                f"malformed placeholder '{snippet}'{where}; write ${{var.NAME}}, ${{env.NAME}} or "
                "${ref.KIND.KEY.id} (or $${...} for literal text)",
            )

    def _variable(self, name: str, token: str, offset: int, report: Report) -> Any:
        if not _NAME_RE.match(name):
            report(offset, f"malformed placeholder {token}: a variable name uses letters, digits and '_'")
            return _MISSING
        if name in self.vars.values:
            return self.vars.values[name]
        known = sorted(self.vars.values)
        message = f"undefined variable {name} in {token}{suggest(name, known, cutoff=0.8)}"
        if self.vars.environment:
            message += f"; define it under variables of environment {self.vars.environment} or in rossum.yaml"
        elif self.vars.environments:
            message += (
                f"; no environment was selected (use --env {'|'.join(self.vars.environments)}) and rossum.yaml "
                "has no default for it"
            )
        else:
            message += "; define it under variables in rossum.yaml or in an environment file"
        report(offset, message)
        return _MISSING

    def _secret(self, name: str, token: str, offset: int, report: Report, where: str) -> Secret | None:
        if not _NAME_RE.match(name):
            report(offset, f"malformed placeholder {token}: an environment variable name uses letters, digits, '_'")
            return None
        value = self.vars.environ.get(name)
        if not value:
            message = (
                f"environment variable {name} is not set (or empty){where}; it is needed for {token} "
                f"(set it in the environment, e.g. {name}=... rossum-iac ...)"
            )
            if self.vars.missing_env == "warning" and self._warn is not None:
                self._warn(offset, message.replace("it is needed for", "plan and apply need it for"))
                return Secret(name, "")
            report(offset, message)
            return None
        return Secret(name, value)

    def _ref(self, body: str, token: str, offset: int, report: Report, where: str) -> RefPlaceholder | None:
        pieces = body.split(".")
        if len(pieces) != 3:
            report(offset, f"malformed reference {token}{where}; write ${{ref.KIND.KEY.id}} or ${{ref.KIND.KEY.url}}")
            return None
        kind_name, key, attr = pieces
        kind = canonical_kind(kind_name)
        if kind is None:
            report(
                offset,
                f"unknown kind {kind_name!r} in {token}{suggest(kind_name, KIND_NAMES)}; "
                f"kinds are {', '.join(KIND_NAMES)}",
            )
            return None
        if not _KEY_RE.match(key):
            report(offset, f"{token}: {key!r} is not a valid key (lowercase letters, digits, '-' and '_')")
            return None
        if attr not in ("id", "url"):
            report(offset, f"{token}: a reference gives 'id' or 'url', not {attr!r}")
            return None
        return RefPlaceholder(kind, key, attr)  # type: ignore[arg-type]


class _Missing:
    pass


_MISSING = _Missing()


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return str(value)


def _assemble(parts: list[TemplatePart]) -> str | Template:
    merged: list[TemplatePart] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + part
                continue
        merged.append(part)
    if all(isinstance(part, str) for part in merged):
        return "".join(part for part in merged if isinstance(part, str))
    return Template(tuple(merged))


_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types that hold no placeholder: ``placeholder_form`` returns them at once (most leaves)."""


def placeholder_form(value: Any) -> Any:
    """The value as it could be written in YAML: refs as keys, secrets and templates as placeholder text.

    Used to validate loaded fields against the JSON Schema without ever exposing a secret value.
    """
    if value.__class__ in _PLAIN:
        return value
    if isinstance(value, Ref):
        return value.key
    if isinstance(value, Secret):
        return f"${{env.{value.name}}}"
    if isinstance(value, Template):
        out = []
        for part in value.parts:
            if isinstance(part, Secret):
                out.append(f"${{env.{part.name}}}")
            elif isinstance(part, RefPlaceholder):
                out.append(f"${{ref.{part.kind}.{part.key}.{part.attr}}}")
            else:
                out.append(part)
        return "".join(out)
    if isinstance(value, dict):
        return {k: placeholder_form(v) for k, v in value.items()}
    if isinstance(value, list):
        return [placeholder_form(v) for v in value]
    return value
