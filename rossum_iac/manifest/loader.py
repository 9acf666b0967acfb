"""Loading a manifest directory into a ``Stack``, collecting every problem on the way.

Entry points: ``load_stack`` (raises ``ManifestErrors`` with all problems, sorted by file and line),
``validate_stack`` (returns them) and ``load`` (both, plus warnings and counts for the CLI). Nothing here touches
the network.

Fields the API may add over time (docs/manifests.md, "Validation"): a top-level field a kind does not know is an
error when it is a typo of a known one (``suggest.typo_of``), otherwise a warning, and the field is passed to the
API as written; unknown keys inside objects with known keys (hook ``config``) follow the typo rule and are otherwise
accepted silently. ``strict`` turns warnings into errors.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rossum_iac.kinds import KIND_NAMES, KINDS
from rossum_iac.kinds.base import KEY_MAX_LENGTH, KEY_PATTERN, MARKER_KEY, TOOL_OPTIONS, Content
from rossum_iac.manifest.checks import LoadedObject, RefSite, check_stack
from rossum_iac.manifest.errors import WARNING, ManifestError, ManifestErrors, sort_errors
from rossum_iac.manifest.files import FileProblem, decode_utf8
from rossum_iac.manifest.includes import Included, IncludeError, IncludeReader, is_include
from rossum_iac.manifest.limits import metadata_problem
from rossum_iac.manifest.locate import Locator
from rossum_iac.manifest.model import DesiredObject, Environment, Ref, Secret, SourceLocation, Stack, Template
from rossum_iac.manifest.reference_check import check_references
from rossum_iac.manifest.schema_validation import Problem, validate
from rossum_iac.manifest.stackfile import (
    ENVIRONMENTS_DIR,
    STACK_FILE_NAMES,
    EnvironmentDef,
    StackDef,
    api_url_problem,
    environment_from,
)
from rossum_iac.manifest.variables import Resolver, Variables, placeholder_form
from rossum_iac.manifest.yaml_io import Document, Pos, YamlSyntaxError, YMap, YSeq, parse_documents, plain
from rossum_iac.suggest import suggest, typo_of

_KEY_RE = re.compile(KEY_PATTERN)
_FINAL_SCALARS = frozenset({int, float, bool, type(None)})


def _is_final(value: Any) -> bool:
    """A value ``_resolve`` returns as it is: a number, boolean, null or a string without ``${`` (most leaves of a
    manifest; checked before the recursive call, which would build a path and a position for each)."""
    cls = value.__class__
    return (cls is str and "${" not in value) or cls in _FINAL_SCALARS


_YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadResult:
    stack: Stack | None
    """The loaded stack, or None when there are errors."""
    errors: list[ManifestError]
    files: list[Path] = field(default_factory=list)
    """YAML files read (stack file, environment files and manifests)."""
    objects: int = 0
    """Number of object documents found."""
    warnings: list[ManifestError] = field(default_factory=list)
    """Problems that do not stop the stack from loading (severity ``warning``), sorted by file and line."""


def load(
    root: Path | str,
    env: str | None = None,
    environ: Mapping[str, str] | None = None,
    strict: bool = False,
    missing_env: str = "error",
) -> LoadResult:
    """Load and validate the manifests under ``root`` for environment ``env`` (``None``: stack defaults only).

    ``environ`` supplies ``${env.NAME}`` values (default: the process environment). ``strict``: warnings are
    errors. ``missing_env="warning"`` (``validate``): an unset ``${env.NAME}`` is a warning and reads as an empty
    secret, so such a stack is for checking only, never for planning.
    """
    loader = _Loader(Path(root), env, os.environ if environ is None else environ, strict)
    loader.missing_env = missing_env
    return loader.run()


def load_environment(root: Path | str, env: str) -> Stack:
    """The stack under ``root`` with environment ``env`` selected and no objects (only ``rossum.yaml`` and the
    environment files are read): where an API is and where its credentials come from. Raises ``ManifestErrors``."""
    result = _Loader(Path(root), env, os.environ, environment_only=True).run()
    if result.errors or result.stack is None:
        raise ManifestErrors(result.errors)
    return result.stack


def load_stack(root: Path | str, env: str | None = None, environ: Mapping[str, str] | None = None) -> Stack:
    """The stack under ``root``; raises ``ManifestErrors`` listing every problem found."""
    result = load(root, env, environ)
    if result.errors or result.stack is None:
        raise ManifestErrors(result.errors)
    return result.stack


def validate_stack(
    root: Path | str, env: str | None = None, environ: Mapping[str, str] | None = None
) -> list[ManifestError]:
    """Every problem of the manifests under ``root``, sorted by file and line (empty when valid)."""
    return load(root, env, environ).errors


def _is_key(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= KEY_MAX_LENGTH and _KEY_RE.match(value) is not None


def _offset_pos(text: str, offset: int) -> Pos:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return (line, column)


def _where(where: tuple[Any, Any]) -> Pos:
    """A position, given as one or as ``(container, key)`` to look up."""
    container, key = where
    if isinstance(container, int):
        return (container, key)
    if isinstance(container, YMap):
        return container.value_pos(key)
    if isinstance(container, YSeq):
        return container.item_pos(key)
    return (0, 0)


def _positioned(raw: dict[str, Any]) -> YMap:
    """An include written in JSON content (a plain dict) as a ``YMap`` without positions."""
    if isinstance(raw, YMap):
        return raw
    out = YMap((0, 0))
    out.update(raw)
    return out


def _locate(doc: YMap, path: tuple[str | int, ...], at_key: bool) -> Pos:
    node: Any = doc
    pos = doc.pos
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, YMap) and isinstance(part, str) and part in node:
            pos = node.key_pos(part) if last and at_key else node.value_pos(part)
            node = node[part]
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
            pos = node.item_pos(part)
            node = node[part]
        else:
            break
    return pos


@dataclass
class _ObjectContext:
    kind: str
    file: Path
    ref_sites: list[RefSite] = field(default_factory=list)
    included: dict[str, Included] = field(default_factory=dict)
    """Included files by field path."""
    reported: set[str] = field(default_factory=set)
    """Fields whose problem is already reported (kept out of JSON Schema validation)."""


class _Loader:
    def __init__(
        self,
        root: Path,
        env: str | None,
        environ: Mapping[str, str],
        strict: bool = False,
        environment_only: bool = False,
    ):
        self.root = root
        self.environment_only = environment_only
        """Read only the stack file and the environment files (no objects)."""
        self.env = env
        self.environ = environ
        self.strict = strict
        self.errors: list[ManifestError] = []
        self.warnings: list[ManifestError] = []
        self.digest_parts: dict[str, bytes] = {}
        """Each file read, by its path below the root (POSIX): what the stack's digest is made of."""
        self._relative: dict[Path, str] = {}
        """The YAML files found (the only files ``_parse`` reads), with their paths below the root (POSIX)."""
        self.files: list[Path] = []
        self.includes = IncludeReader(root)
        self.resolver: Resolver | None = None
        self.missing_env = "error"
        """``warning``: an unset ``${env.NAME}`` is a warning (``load(missing_env=...)``)."""
        self.nested_stack_files: list[Path] = []
        self.stack_name = ""

    def error(self, file: Path, pos: Pos, message: str) -> None:
        self.errors.append(ManifestError(file, pos[0], pos[1], message))

    def warn(self, file: Path, pos: Pos, message: str) -> None:
        """A problem that does not stop the stack from loading (an error with ``strict``)."""
        if self.strict:
            self.error(file, pos, message)
        else:
            self.warnings.append(ManifestError(file, pos[0], pos[1], message, WARNING))

    # -- orchestration ------------------------------------------------------------------------------------------

    def run(self) -> LoadResult:
        root = self.root
        if not root.exists():
            self.error(root, (0, 0), "manifest directory does not exist")
            return LoadResult(None, sort_errors(self.errors))
        if not root.is_dir():
            self.error(root, (0, 0), "is not a directory; give the directory that holds rossum.yaml")
            return LoadResult(None, sort_errors(self.errors))
        stack_files, env_files, manifest_files = self._discover()
        if self.environment_only:
            manifest_files = []
        if not stack_files:  # not a stack directory: its other YAML files are not manifests to report on
            return LoadResult(None, [self._no_stack_file()], self.files)
        parsed: dict[Path, list[Document]] = {}
        for path in [*stack_files, *env_files, *manifest_files]:
            docs = self._parse(path)
            if docs is not None:
                parsed[path] = docs
                if len(docs) == 1:
                    self.includes.remember_yaml(path, docs[0].data)
        if stack_files[0] not in parsed:  # unreadable or not YAML: what the objects need from it is unknown
            return LoadResult(None, sort_errors(self.errors), self.files)
        stack_def = self._stack_def(stack_files, env_files, parsed)
        self.stack_name = stack_def.name or ""
        environment = self._select_environment(stack_def)
        values = dict(stack_def.variables)
        if environment is not None:
            values.update(environment.variables)
        self.resolver = Resolver(
            Variables(values, self.environ, self.env, tuple(sorted(stack_def.environments)), self.missing_env)
        )
        loaded, object_docs = self._objects(manifest_files, parsed)
        check_stack(loaded, self.error)
        check_references([item.obj for item in loaded], Locator(self.root, parsed), self.error, self.warn)
        errors = sort_errors(self.errors)
        stack = None
        if not errors:
            stack = Stack(
                name=stack_def.name or "",
                root=self.root,
                environment=self._environment_model(environment, values),
                environments=tuple(sorted(stack_def.environments)),
                objects=tuple(item.obj for item in loaded),
                digest=self._digest(),
            )
        return LoadResult(stack, errors, self.files, object_docs, sort_errors(self.warnings))

    def _objects(
        self, manifest_files: list[Path], parsed: dict[Path, list[Document]]
    ) -> tuple[list[LoadedObject], int]:
        """Every object document loaded; other documents are reported unless their file is included content."""
        loaded: list[LoadedObject] = []
        deferred: list[tuple[Path, Document]] = []
        object_docs = 0
        for path in manifest_files:
            for doc in parsed.get(path, []):
                data = doc.data
                if isinstance(data, YMap) and "kind" in data:
                    object_docs += 1
                    result = self._object(path, doc)
                    if result is not None:
                        loaded.append(result)
                elif isinstance(data, YMap) and "stack" in data:
                    self.error(
                        path,
                        data.key_pos("stack"),
                        f"stack settings belong in rossum.yaml at the root of {self.root}, not in a manifest",
                    )
                else:
                    deferred.append((path, doc))
        for path, doc in deferred:  # known only now: which files were included as content
            if path.resolve() in self.includes.included:
                continue
            if isinstance(doc.data, YMap):
                message = (
                    f"this document has no kind; every manifest document needs kind ({', '.join(KIND_NAMES)}) and key"
                )
            else:
                message = (
                    "a manifest document must be a mapping with kind and key; if this file is content, include it "
                    "from a content field with {file: relative/path}"
                )
            self.error(path, doc.pos, message)
        return loaded, object_docs

    def _environment_model(self, environment: EnvironmentDef | None, values: dict[str, Any]) -> Environment | None:
        if environment is None:
            return None
        return Environment(
            name=environment.name,
            api_base_url=environment.api_base_url,
            variables=values,
            credentials=environment.credentials,
        )

    def _digest(self) -> str:
        digest = hashlib.sha256()
        digest.update(f"environment={self.env or ''}\0".encode())
        for name in sorted(self.digest_parts):
            digest.update(name.encode() + b"\0")
            digest.update(self.digest_parts[name] + b"\0")
        return digest.hexdigest()

    # -- files ----------------------------------------------------------------------------------------------------

    def _discover(self) -> tuple[list[Path], list[Path], list[Path]]:
        stack_files: list[Path] = []
        env_files: list[Path] = []
        manifests: list[Path] = []
        found: list[tuple[tuple[str, ...], Path]] = []  # (parts below the root, path)
        top = os.fspath(self.root)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            below = tuple(Path(os.path.relpath(dirpath, top)).parts) if dirpath != top else ()
            for name in filenames:
                if not name.startswith(".") and name.lower().endswith(_YAML_SUFFIXES):
                    found.append(((*below, name), Path(dirpath, name)))
        found.sort(key=lambda item: "/".join(item[0]))
        for parts, path in found:
            self._relative[path] = "/".join(parts)
            if len(parts) == 1 and parts[0] in STACK_FILE_NAMES:
                stack_files.append(path)
            elif len(parts) == 2 and parts[0] == ENVIRONMENTS_DIR:
                env_files.append(path)
            elif parts[-1] in STACK_FILE_NAMES:
                self.nested_stack_files.append(path)
                self.error(
                    path,
                    (0, 0),
                    f"a stack file belongs at the root of the manifest directory ({self.root}); "
                    "this one is inside it (one directory holds one stack)",
                )
            else:
                manifests.append(path)
        return stack_files, env_files, manifests

    def _no_stack_file(self) -> ManifestError:
        message = "no rossum.yaml here: a manifest directory needs a stack file rossum.yaml with 'stack: <name>'"
        if self.nested_stack_files:
            found = ", ".join(p.parent.relative_to(self.root).as_posix() for p in self.nested_stack_files[:5])
            more = ", ..." if len(self.nested_stack_files) > 5 else ""
            message += f"; stack directories below it: {found}{more} (give one of them)"
        return ManifestError(self.root, 0, 0, message)

    def _parse(self, path: Path) -> list[Document] | None:
        self.files.append(path)
        try:  # only regular files inside the directory, of a bounded size (a FIFO or /dev/zero must not hang it)
            data = self.includes.files.read(path)
        except FileProblem as exc:
            self.error(path, (0, 0), f"this file {exc}")
            return None
        self.digest_parts[self._relative[path]] = data
        text, bad_pos, bad_byte = decode_utf8(data)
        if text is None:
            self.error(path, bad_pos, f"the file is not UTF-8 text ({bad_byte})")
            return None
        try:
            return parse_documents(text)
        except YamlSyntaxError as exc:
            self.error(path, (exc.line, exc.column), exc.message)
            return None

    # -- stack and environments -----------------------------------------------------------------------------------

    def _report_problems(self, file: Path, doc: YMap, problems: list[Problem]) -> None:
        for problem in problems:
            self.error(file, _locate(doc, problem.path, problem.at_key), problem.message)

    def _single_mapping(self, path: Path, docs: list[Document], what: str) -> YMap | None:
        if not docs:
            return None
        if len(docs) > 1:
            self.error(path, docs[1].pos, f"{what} must hold a single YAML document")
        data = docs[0].data
        if not isinstance(data, YMap):
            self.error(path, docs[0].pos, f"{what} must be a mapping")
            return None
        return data

    def _stack_def(
        self, stack_files: list[Path], env_files: list[Path], parsed: dict[Path, list[Document]]
    ) -> StackDef:
        stack = StackDef()
        if len(stack_files) > 1:
            self.error(stack_files[1], (0, 0), "both rossum.yaml and rossum.yml exist; keep one stack file")
        if stack_files and stack_files[0] in parsed:
            path = stack_files[0]
            stack.file = path
            data = self._single_mapping(path, parsed[path], "rossum.yaml")
            if data is None:
                if not parsed[path]:
                    self.error(path, (0, 0), "rossum.yaml is empty; it needs 'stack: <name>'")
            else:
                self._report_problems(path, data, validate("stack_file", data))
                name = data.get("stack")
                stack.name = name if isinstance(name, str) else None
                variables = data.get("variables")
                if isinstance(variables, dict):
                    stack.variables = plain(variables)
                environments = data.get("environments")
                if isinstance(environments, YMap):
                    for env_name, env_data in environments.items():
                        self._check_api_base_url(path, env_data)
                        self._check_credentials(path, env_data)
                        stack.environments[env_name] = environment_from(
                            env_name, env_data, path, environments.key_pos(env_name)
                        )
        for path in env_files:
            name = path.stem
            if not _is_key(name):
                self.error(
                    path, (0, 0), f"environment name {name!r} is not valid; use lowercase letters, digits, '-' and '_'"
                )
                continue
            docs = parsed.get(path)
            if docs is None:
                continue
            data = self._single_mapping(path, docs, "an environment file")
            if data is not None:
                self._report_problems(path, data, validate("environment_file", data))
                self._check_api_base_url(path, data)
                self._check_credentials(path, data)
            first = stack.environments.get(name)
            if first is not None:
                self.error(
                    path,
                    data.pos if data is not None else (0, 0),
                    f"environment {name} is also defined in {first.file}:{first.pos[0]}; define it in one place",
                )
                continue
            stack.environments[name] = environment_from(name, data, path, data.pos if data is not None else (1, 1))
        return stack

    def _check_credentials(self, path: Path, data: Any) -> None:
        """``username_env`` and ``password_env`` go together; ``token_env`` excludes them."""
        if not isinstance(data, YMap):
            return
        named = [k for k in ("token_env", "username_env", "password_env") if k in data]
        if "token_env" in named and len(named) > 1:
            self.error(
                path,
                data.key_pos(named[1]),
                "an environment names a token_env or a username_env and password_env, not both",
            )
        elif len(named) == 1 and named[0] != "token_env":
            other = "password_env" if named[0] == "username_env" else "username_env"
            self.error(path, data.key_pos(named[0]), f"{named[0]} needs {other} too (or use token_env)")

    def _check_api_base_url(self, path: Path, data: Any) -> None:
        """``api_base_url`` must be a usable http(s) URL (its type is checked by the JSON Schema)."""
        url = data.get("api_base_url") if isinstance(data, YMap) else None
        if isinstance(url, str) and url.strip():
            problem = api_url_problem(url.strip())
            if problem is not None:
                self.error(path, data.value_pos("api_base_url"), f"api_base_url: {problem}")

    def _select_environment(self, stack: StackDef) -> EnvironmentDef | None:
        if self.env is None:
            return None
        environment = stack.environments.get(self.env)
        if environment is None:
            defined = sorted(stack.environments)
            listed = f"; defined environments: {', '.join(defined)}" if defined else "; this stack defines none"
            self.error(
                stack.file or self.root,
                (0, 0),
                f"environment {self.env!r} is not defined{suggest(self.env, defined)}{listed} "
                f"(add it under environments in rossum.yaml or as {ENVIRONMENTS_DIR}/{self.env}.yaml)",
            )
        return environment

    # -- objects --------------------------------------------------------------------------------------------------

    def _object(self, path: Path, doc: Document) -> LoadedObject | None:
        data: YMap = doc.data
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            hint = suggest(kind, KIND_NAMES) if isinstance(kind, str) else ""
            self.error(path, data.value_pos("kind"), f"unknown kind {kind!r}{hint}; kinds are {', '.join(KIND_NAMES)}")
            return None
        key = data.get("key")
        key_ok = _is_key(key)
        if "key" not in data:
            self.error(
                path,
                data.pos,
                f"this {kind} has no key; add 'key: <slug>' (unique among {kind} objects, e.g. invoices-eu)",
            )
        elif not key_ok:
            self.error(
                path,
                data.value_pos("key"),
                f"key {key!r} is not valid; use lowercase letters, digits, '-' and '_' (like invoices-eu), "
                f"at most {KEY_MAX_LENGTH} characters",
            )
        ctx = _ObjectContext(kind, path)
        kind_def = KINDS[kind]
        declarable = list(kind_def.declarable)
        raw_fields: dict[str, Any] = {}
        unknown: list[str] = []
        for name in data:
            if name in TOOL_OPTIONS:
                continue
            if name in kind_def.declarable:
                raw_fields[name] = data[name]
                continue
            reason = kind_def.not_declarable_reason(name)
            typo = typo_of(name, [*declarable, *TOOL_OPTIONS]) if not reason else None
            if reason:
                self.error(path, data.key_pos(name), f"'{name}' cannot be declared on a {kind}: it {reason}")
            elif typo is not None:
                self.error(
                    path,
                    data.key_pos(name),
                    f"unknown field '{name}' for a {kind} (did you mean '{typo}'?); {kind} fields are "
                    f"{', '.join(declarable)}",
                )
            else:
                self.warn(
                    path,
                    data.key_pos(name),
                    f"unknown field '{name}' for a {kind}: rossum-iac does not know it (a field the API added "
                    "recently?); it is sent to the API and compared as written",
                )
                raw_fields[name] = data[name]
                unknown.append(name)
        self._nested_unknown(path, kind, data)
        metadata = raw_fields.get("metadata")
        if isinstance(metadata, YMap) and MARKER_KEY in metadata:
            self.error(
                path,
                metadata.key_pos(MARKER_KEY),
                f"metadata.{MARKER_KEY} is reserved for the ownership marker rossum-iac writes; use another key",
            )
        fields: dict[str, Any] = {}
        for name, raw in raw_fields.items():
            fields[name] = self._resolve(raw, (name,), data.value_pos(name), path, ctx)
        self._convert_refs(kind, fields, data, ctx)
        protect = (
            self._resolve(data["protect"], ("protect",), data.value_pos("protect"), path, ctx)
            if "protect" in data
            else kind_def.protect_by_default
        )
        if kind_def.has_metadata and isinstance(fields.get("metadata"), dict):
            too_large = metadata_problem(fields["metadata"], self.stack_name, str(key), protect is True)
            if too_large is not None:
                self.error(path, data.value_pos("metadata"), too_large)
        ignore_changes = self._ignore_changes(data, path, kind, declarable + unknown)
        instance: dict[str, Any] = {"kind": kind, "key": key if key_ok else "invalid-key"}
        if "protect" in data:
            instance["protect"] = placeholder_form(protect)
        if "ignore_changes" in data:
            instance["ignore_changes"] = data["ignore_changes"]
        # content with a structure check of its own (schema content) is not checked again by the JSON Schema
        checked = {p for p, c in kind_def.content_fields.items() if c.check is not None}
        instance.update(placeholder_form({k: ([] if k in checked else v) for k, v in fields.items()}))
        for name in ctx.reported:  # already reported: a well-formed stand-in avoids a second message
            instance[name] = ["reported"] if KINDS[kind].refs[name].many else "reported"
        self._report_problems(path, data, validate(kind, instance, kind, skip_top_unknown=True))
        self._kind_checks(kind, path, data, raw_fields, ctx)
        if not key_ok or not isinstance(key, str):
            return None
        obj = DesiredObject(
            kind=kind,
            key=key,
            fields=fields,
            protect=protect if isinstance(protect, bool) else False,
            ignore_changes=tuple(ignore_changes),
            source=SourceLocation(path, doc.pos[0], doc.pos[1]),
        )
        field_pos = {name: data.value_pos(name) for name in data}
        return LoadedObject(obj, path, data.value_pos("key"), field_pos, ctx.ref_sites)

    def _nested_unknown(self, path: Path, kind: str, data: YMap) -> None:
        """Keys of an object field with known keys (hook ``config``) that are typos of a known key. Other unknown
        keys are accepted: the API owns these objects and adds keys over time."""
        for name, spec in KINDS[kind].fields.items():
            value = data.get(name)
            if not spec.properties or not isinstance(value, YMap):
                continue
            known = [key for key, sub in spec.properties.items() if sub.declarable]
            for key in value:
                if not isinstance(key, str) or key in spec.properties:
                    continue
                typo = typo_of(key, known)
                if typo is not None:
                    self.error(
                        path,
                        value.key_pos(key),
                        f"unknown field '{key}' in {name} (did you mean '{typo}'?); known {name} fields are "
                        f"{', '.join(sorted(known))} (other names are passed to the API as written)",
                    )

    def _ignore_changes(self, data: YMap, path: Path, kind: str, declarable: list[str]) -> list[str]:
        raw = data.get("ignore_changes")
        if not isinstance(raw, list):
            return []  # a wrong type is reported by the JSON Schema
        out: list[str] = []
        for index, item in enumerate(raw):
            if not isinstance(item, str) or not item:
                continue
            top = re.split(r"[.\[]", item, maxsplit=1)[0]
            if top not in declarable:
                where = raw.item_pos(index) if isinstance(raw, YSeq) else data.value_pos("ignore_changes")
                self.error(
                    path,
                    where,
                    f"ignore_changes: {item!r} does not start with a field of {kind}{suggest(top, declarable)}",
                )
                continue
            out.append(item)
        return out

    def _resolve(self, raw: Any, path: tuple[str, ...], where: tuple[Any, Any], file: Path, ctx: _ObjectContext) -> Any:
        """Placeholders, includes and plain types for one value (recursively).

        ``where`` is the value's position, or ``(container, key)`` to look it up only when a problem is found.
        """
        if isinstance(raw, dict):
            if "file" in raw:
                content = KINDS[ctx.kind].content_fields.get(".".join(path))
                if content is not None:
                    return self._include(_positioned(raw), path, file, ctx, content.structured)
                if self._is_nested_include(ctx.kind, path):
                    return self._include(_positioned(raw), path, file, ctx, structured=False)
            return {k: v if _is_final(v) else self._resolve(v, (*path, k), (raw, k), file, ctx) for k, v in raw.items()}
        if isinstance(raw, list):
            return [v if _is_final(v) else self._resolve(v, path, (raw, i), file, ctx) for i, v in enumerate(raw)]
        if isinstance(raw, str) and "${" in raw:
            assert self.resolver is not None
            pos = _where(where)
            field_name = ".".join(path)
            return self.resolver.resolve(
                raw,
                lambda offset, message: self.error(file, pos, f"{field_name}: {message}"),
                lambda ref, offset: ctx.ref_sites.append(RefSite(ref, file, pos, field_name)),
                lambda offset, message: self.warn(file, pos, f"{field_name}: {message}"),
            )
        return raw

    @staticmethod
    def _is_nested_include(kind: str, path: tuple[str, ...]) -> bool:
        """A text file inside structured content (a schema formula): ``{file: ...}`` relative to that content."""
        content = KINDS[kind].content_fields.get(path[0]) if path else None
        return content is not None and content.structured and len(path) > 1 and path[-1] in content.nested_files

    def _include(self, raw: YMap, path: tuple[str, ...], file: Path, ctx: _ObjectContext, structured: bool) -> Any:
        try:
            included = self.includes.read(raw, file, structured)
        except IncludeError as exc:
            self.error(exc.file, exc.pos, exc.message)
            return ""  # a stand-in of the right type, so no second error is reported for this field
        self.digest_parts[included.path.relative_to(self.root).as_posix()] = included.data
        field_name = ".".join(path)
        ctx.included.setdefault(field_name, included)
        if structured:
            return self._resolve(included.value, path, (0, 0), included.path, ctx)
        text = included.value
        if "${" not in text:
            return text
        assert self.resolver is not None
        return self.resolver.resolve(
            text,
            lambda offset, message: self.error(included.path, _offset_pos(text, offset), f"{field_name}: {message}"),
            lambda ref, offset: ctx.ref_sites.append(
                RefSite(ref, included.path, _offset_pos(text, offset), field_name)
            ),
            lambda offset, message: self.warn(included.path, _offset_pos(text, offset), f"{field_name}: {message}"),
        )

    def _convert_refs(self, kind: str, fields: dict[str, Any], data: YMap, ctx: _ObjectContext) -> None:
        """Keys in reference fields become ``Ref`` objects (other shapes are left for the JSON Schema to report)."""
        for name, spec in KINDS[kind].refs.items():
            if name not in fields:
                continue
            target = spec.ref or ""
            value = fields[name]
            raw = data.get(name)
            if spec.many:
                if not isinstance(value, list):
                    self._ref_placeholder_error(ctx, name, value, target, True, data.value_pos(name))
                    continue
                converted = []
                for index, item in enumerate(value):
                    where = raw.item_pos(index) if isinstance(raw, YSeq) else data.value_pos(name)
                    if _is_key(item):
                        ref = Ref(target, item)
                        ctx.ref_sites.append(RefSite(ref, ctx.file, where, f"{name}[{index}]"))
                        converted.append(ref)
                    else:
                        self._ref_placeholder_error(ctx, name, item, target, True, where)
                        converted.append(item)
                fields[name] = converted
            elif _is_key(value):
                ref = Ref(target, value)
                ctx.ref_sites.append(RefSite(ref, ctx.file, data.value_pos(name), name))
                fields[name] = ref
            else:
                self._ref_placeholder_error(ctx, name, value, target, False, data.value_pos(name))

    def _ref_placeholder_error(
        self, ctx: _ObjectContext, name: str, value: Any, target: str, many: bool, pos: Pos
    ) -> None:
        if isinstance(value, Secret | Template):
            ctx.reported.add(name)
            example = f"[my-{target.lower()}]" if many else f"my-{target.lower()}"
            self.error(
                ctx.file,
                pos,
                f"{name} must name the {target} by its key (e.g. {name}: {example}); "
                "${env...} and ${ref...} placeholders cannot be used here",
            )

    def _kind_checks(self, kind: str, path: Path, data: YMap, raw_fields: dict[str, Any], ctx: _ObjectContext) -> None:
        """The kind's own rules, and the structure checks of content fields (inline or included)."""
        report = lambda pos, message: self.error(path, pos, message)  # noqa: E731
        for check in KINDS[kind].checks:
            check(data, report)
        for field_path, content in KINDS[kind].content_fields.items():
            if content.check is not None and field_path in raw_fields:
                self._check_content(path, data, field_path, raw_fields[field_path], content, ctx)

    def _check_content(
        self, path: Path, data: YMap, field_path: str, raw: Any, content: Content, ctx: _ObjectContext
    ) -> None:
        assert content.check is not None
        if is_include(raw):
            included = ctx.included.get(field_path)
            if included is None:
                return  # the include itself failed; already reported
            found: list[tuple[Pos, str]] = []
            content.check(included.value, (0, 0), lambda pos, message: found.append((pos, message)))
            if found and not included.positioned:
                found = []
                value = included.reparse()
                content.check(value, (0, 0), lambda pos, message: found.append((pos, message)))
            for pos, message in found:
                self.error(included.path, pos, message)
            return
        content.check(raw, data.value_pos(field_path), lambda pos, message: self.error(path, pos, message))
