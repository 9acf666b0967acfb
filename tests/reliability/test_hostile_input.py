"""Hostile input (issue 11 §4.3): what a stack directory or a command line may hold that no one should trust.

Every case is run through ``validate``, ``plan`` and ``apply`` as real processes (an emulator in this process is the
API): each exits 1 naming the file (with line:column where a line is at fault) in bounded time (a process that does
not finish within ``BOUND_S`` fails the test: a named pipe must not block) and memory (peak resident memory under
``MAX_RSS_MB``), without a traceback, without a single request to the API, and without opening any file outside the
stack directory (every file a process opens is recorded). Random bytes and YAML fragments go through the loader
(hypothesis), and the imperative commands' arguments get the same treatment.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rossum_iac.errors import UsageError
from rossum_iac.manifest import check_cache
from rossum_iac.manifest.loader import load
from rossum_iac.ops import inputs
from tests.qa.qa_helpers import REPO, cli, copy_examples, process_env
from tests.reliability.rel_helpers import Run, run_cli

BOUND_S = 60
"""Generous: only tells "finished" from "hangs"."""
MAX_RSS_MB = 200
CONCURRENT = 4
COMMANDS = ("validate", "plan", "apply")


@dataclass
class Case:
    name: str
    build: Callable[[Path, Path], None]
    """Makes the stack at ``root`` hostile; may put files in ``outside`` (a sibling of the stack directory)."""
    file: str
    """The file the error must name, relative to the stack directory."""
    message: str
    line: int | None = None
    """The line the error must point at (None: the whole file is at fault)."""
    risky: bool = False
    """Could hang or exhaust memory: ``plan`` and ``apply`` run as processes too (else in-process; ``validate``
    always runs as a process, and all three read the manifests the same way)."""


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def _include(root: Path, target: str) -> None:
    """The function hook's code ``{file: ...}`` pointed at ``target``."""
    _replace(root / "hooks" / "credit-note-router.yaml", "{file: credit_note_router.py}", f"{{file: {target}}}")


def _alias_bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    return "\n".join(lines) + "\n"


def _many_workspaces(size: int) -> str:
    docs: list[str] = []
    total = 0
    while total < size:
        doc = f"kind: Workspace\nkey: w-{len(docs)}\nname: Workspace {len(docs)}\n"
        docs.append(doc)
        total += len(doc) + 4
    return "---\n".join(docs)


WORKSPACE = "kind: Workspace\nkey: hostile\nname: "
HOOK = "hooks/credit-note-router.yaml"
CASES = [
    Case("binary junk", lambda r, o: _write(r / "junk.yaml", b"kind: Workspace\n\x8e\xff\x00" + bytes(range(256)) * 8),
         "junk.yaml", "not UTF-8", 2),
    Case("latin-1 text", lambda r, o: _write(r / "latin.yaml", (WORKSPACE + "Caf\xe9\n").encode("latin-1")),
         "latin.yaml", "not UTF-8", 3),
    Case("NUL characters", lambda r, o: _write(r / "nul.yaml", WORKSPACE + "a\x00b\n"), "nul.yaml", "#x0000", 3),
    Case("yaml symlink to a file outside",
         lambda r, o: (r / "evil.yaml").symlink_to(o / "secret.yaml"), "evil.yaml", "outside the manifest directory"),
    Case("rossum.yaml a symlink outside",
         lambda r, o: ((r / "rossum.yaml").unlink(), (r / "rossum.yaml").symlink_to(o / "rossum.yaml")),
         "rossum.yaml", "outside the manifest directory"),
    Case("yaml symlink to /dev/zero", lambda r, o: (r / "zero.yaml").symlink_to("/dev/zero"), "zero.yaml",
         "outside the manifest directory", risky=True),
    Case("named pipe pipe.yaml", lambda r, o: os.mkfifo(r / "pipe.yaml"), "pipe.yaml", "is a named pipe", risky=True),
    Case("named pipe as an environment file", lambda r, o: os.mkfifo(r / "environments" / "stage.yaml"),
         "environments/stage.yaml", "is a named pipe", risky=True),
    Case("symlink loop", lambda r, o: (r / "loop.yaml").symlink_to(r / "loop.yaml"), "loop.yaml", "loops", risky=True),
    Case("dangling symlink", lambda r, o: (r / "gone.yaml").symlink_to(r / "nowhere.yaml"), "gone.yaml",
         "leads nowhere"),
    Case("include of ../", lambda r, o: _include(r, "../../outside/secret.yaml"), HOOK, "outside the manifest", 12),
    Case("include of an absolute path", lambda r, o: _include(r, str(o / "secret.yaml")), HOOK, "is absolute", 12),
    Case("include of a symlink outside",
         lambda r, o: ((r / "hooks" / "x.py").symlink_to(o / "secret.yaml"), _include(r, "x.py")), HOOK,
         "outside the manifest", 12),
    Case("include of a symlink to /dev/zero",
         lambda r, o: ((r / "hooks" / "z.py").symlink_to("/dev/zero"), _include(r, "z.py")), HOOK,
         "outside the manifest", 12, risky=True),
    Case("include of a named pipe", lambda r, o: (os.mkfifo(r / "hooks" / "p.py"), _include(r, "p.py")), HOOK,
         "is a named pipe", 12, risky=True),
    Case("include of a symlink loop",
         lambda r, o: ((r / "hooks" / "l.py").symlink_to(r / "hooks" / "l.py"), _include(r, "l.py")), HOOK,
         "loop of symbolic links", 12, risky=True),
    Case("nesting of 400 flow levels", lambda r, o: _write(r / "deep.yaml", WORKSPACE + "D\nmetadata: "
                                                             + "[" * 400 + "]" * 400 + "\n"), "deep.yaml",
         "nested too deeply", 4, risky=True),
    Case("nesting of 400 block levels",
         lambda r, o: _write(r / "deep.yaml", WORKSPACE + "D\nmetadata:\n"
                             + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(400)) + "  " * 401 + "v\n"),
         "deep.yaml", "nested too deeply", risky=True),
    Case("alias bomb", lambda r, o: _write(r / "bomb.yaml", _alias_bomb()), "bomb.yaml", "too many aliases",
         risky=True),
    Case("a 50 MB name", lambda r, o: _write(r / "big.yaml", WORKSPACE + "x" * 50_000_000 + "\n"), "big.yaml",
         "more than the 4.0 MiB", risky=True),
    Case("a 10 MB manifest", lambda r, o: _write(r / "many.yaml", _many_workspaces(10_000_000)), "many.yaml",
         "more than the 4.0 MiB", risky=True),
    Case("queue name over 255", lambda r, o: _replace(r / "queues" / "credit-notes.yaml", "name: Credit notes",
                                                       "name: " + "Q" * 256), "queues/credit-notes.yaml",
         "at most 255", 3),
    Case("email prefix over 57", lambda r, o: _replace(r / "inboxes" / "invoices-eu.yaml",
                                                        "email_prefix: ap-invoices-eu", "email_prefix: " + "p" * 58),
         "inboxes/invoices-eu.yaml", "at most 57", 5),
    Case("schema id over 50", lambda r, o: _write(r / "s.yaml", "kind: Schema\nkey: s\nname: S\ncontent:\n"
                                                   "  - {category: section, id: " + "s" * 51 + ", label: S,"
                                                   " children: []}\n"), "s.yaml", "at most 50", 5),
    Case("metadata over 4 kB", lambda r, o: _write(r / "meta.yaml", WORKSPACE + "M\nmetadata:\n  blob: "
                                                    + "m" * 4100 + "\n"), "meta.yaml", "at most 4 kB", 5),
]  # fmt: skip


@pytest.fixture(scope="module")
def api() -> Iterator[Any]:
    """One emulator for the module: no case may send it anything."""
    from rossum_iac.emulator import serve_in_thread

    with serve_in_thread() as emulator:
        yield emulator


def _allowed(path: str, roots: tuple[str, ...]) -> bool:
    """Inside the stack, Python's own files, the package, /proc/self, the probe's report (the editable install's
    import hook registers a path ending in ``.__path_hook__``, not a file)."""
    return path.startswith(roots) or path.endswith(".__path_hook__")


def _check(case: Case, command: str, run: Run, root: Path, outside: Path) -> None:
    where = f"{case.name} / {command}"
    assert "Traceback" not in run.output and "internal error" not in run.output, f"{where}\n{run.output[-3000:]}"
    assert run.code == 1, f"{where}: exit {run.code}\n{run.output[-3000:]}"
    lines = [line.removeprefix("Error: ") for line in run.output.splitlines()]  # plan/apply: "Error: " first
    named = [line for line in lines if line.startswith(f"{root / case.file}:")]
    assert named, f"{where}: no error names {case.file}\n{run.output[-3000:]}"
    assert any(case.message in line for line in named), f"{where}: {named}"
    if case.line is not None:
        assert any(line.startswith(f"{root / case.file}:{case.line}:") for line in named), f"{where}: {named}"
    assert run.peak_rss_mb < MAX_RSS_MB, f"{where}: {run.peak_rss_mb:.0f} MB"  # 0 in-process (not measured)
    checks = check_cache.cache_dir()  # the compiled schema checks kept between runs
    allowed = (str(root) + "/", sys.prefix, sys.base_prefix, sys.exec_prefix, str(REPO / "rossum_iac"),
               "/proc/self/", tempfile.gettempdir() + "/probe-", tempfile.gettempdir() + "/__editable__",
               *([str(checks) + "/"] if checks else []))  # fmt: skip
    strays = [p for p in run.opened if not _allowed(p, allowed)]
    assert not strays, f"{where}: opened files outside the stack: {strays[:5]}"
    assert not any(p.startswith(str(outside)) or p == "/dev/zero" for p in run.opened), where


def test_hostile_stack_directories_fail_cleanly_in_bounded_time_and_memory(api: Any, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _write(outside / "secret.yaml", "kind: Workspace\nkey: stolen\nname: OUTSIDE-CONTENT\n")
    _write(outside / "rossum.yaml", "stack: stolen\n")
    roots: dict[str, Path] = {}
    for index, case in enumerate(CASES):
        root = copy_examples(tmp_path / f"case-{index}")
        case.build(root, outside)
        roots[case.name] = root
    env = process_env(ROSSUM_API_TOKEN=api.token)

    def run(job: tuple[Case, str]) -> tuple[Case, str, Run]:
        case, command = job
        args = [command, str(roots[case.name])]
        if command != "validate":
            args += ["--base-url", api.base_url]
        if command == "apply":
            args.append("--auto-approve")
        return case, command, run_cli(*args, cwd=tmp_path, env=env, timeout=BOUND_S)

    jobs = [(case, command) for case in CASES for command in COMMANDS if case.risky or command == "validate"]
    with ThreadPoolExecutor(CONCURRENT) as pool:
        results = list(pool.map(run, jobs))
    for case, command, result in results:
        _check(case, command, result, roots[case.name], outside)
        assert "OUTSIDE-CONTENT" not in result.output
    for case in CASES:
        if case.risky:
            continue
        for command in ("plan", "apply"):
            extra = ["--auto-approve"] if command == "apply" else []
            outcome = cli(command, str(roots[case.name]), "--base-url", api.base_url, *extra,
                          env={"ROSSUM_API_TOKEN": api.token})  # fmt: skip
            in_process = Run(outcome.exit_code, outcome.stdout, outcome.stderr, 0.0, 0.0, [])
            _check(case, command, in_process, roots[case.name], outside)
    assert list(api.request_log) == []  # nothing was sent, not even a read
    peak = max(r.peak_rss_mb for _, _, r in results)
    slowest = max(r.seconds for _, _, r in results)
    print(f"\nhostile stacks: {len(CASES)} cases x {len(COMMANDS)} commands ({len(results)} as processes): peak "
          f"{peak:.0f} MB, slowest {slowest:.1f}s")



# -- the imperative commands' arguments ------------------------------------------------------------------------------


def _argument_cases(files: Path) -> list[tuple[list[str], str, bool]]:
    """``(arguments, message, risky)``: risky ones (could block or read without end) run as processes."""
    os.mkfifo(files / "pipe.pdf")
    os.mkfifo(files / "ops.json")
    (files / "loop.pdf").symlink_to(files / "loop.pdf")
    (files / "folder").mkdir()
    (files / "empty.pdf").write_bytes(b"")
    (files / "junk.json").write_bytes(b"\x00\xffnot json")
    upload = ["documents", "upload", "--queue", "1"]
    update = ["annotations", "update", "1"]
    bulk = ["annotations", "bulk-update", "1", "--operations"]
    return [
        ([*upload, str(files / "pipe.pdf")], "is not a regular file", True),
        ([*upload, "/dev/zero"], "is not a regular file", True),
        ([*upload, str(files / "folder")], "is a directory", False),
        ([*upload, str(files / "missing.pdf")], "no such file", False),
        ([*upload, str(files / "loop.pdf")], "Too many levels of symbolic links", False),
        ([*upload, str(files / "empty.pdf")], "is empty", False),
        ([*update, "--data", "{"], "invalid JSON", False),
        ([*update, "--data", "[1, 2]"], "expected a JSON object", False),
        ([*update, "--data", '{"a": NaN}'], "NaN is not a JSON value", False),
        ([*update, "--data", '{"a": 1e400}'], "out of range", False),
        ([*update, "--data", '{"a": ' + "9" * 5000 + "}"], "5,000 digits", False),
        ([*update, "--data", "[" * 20000 + "]" * 20000], "nested too deeply", True),
        ([*update, "--data", '{"a": "\udcff"}'], "not UTF-8", True),  # a byte 0xff on the command line
        ([*update, "--set", "amount=\udcff"], "not UTF-8", True),
        (["annotations", "update", "\u00b2", "--set", "a=1"], "is not a positive integer", False),
        (["annotations", "show", "9" * 30], "is not a positive integer", False),
        ([*bulk, str(files / "ops.json")], "is empty", True),  # a named pipe nobody writes to
        ([*bulk, "/dev/zero"], "larger than 10 MB", True),
        ([*bulk, str(files / "folder")], "is a directory", False),
        ([*bulk, str(files / "junk.json")], "not UTF-8", False),
    ]


def test_hostile_command_arguments_fail_before_any_request(api: Any, tmp_path: Path) -> None:
    cases = _argument_cases(tmp_path)
    env = process_env(ROSSUM_API_TOKEN=api.token)
    base = ["--base-url", api.base_url]
    risky = [(args, message) for args, message, is_risky in cases if is_risky]
    with ThreadPoolExecutor(CONCURRENT) as pool:
        runs = list(pool.map(lambda case: run_cli(*case[0], *base, cwd=tmp_path, env=env, timeout=BOUND_S), risky))
    outcomes = [(args, message, run.code, run.output) for (args, message), run in zip(risky, runs, strict=True)]
    assert all(run.peak_rss_mb < MAX_RSS_MB for run in runs), [run.peak_rss_mb for run in runs]
    for args, message, is_risky in cases:
        if not is_risky:
            result = cli(*args, *base, env={"ROSSUM_API_TOKEN": api.token})
            outcomes.append((args, message, result.exit_code, result.output))
    for args, message, code, output in outcomes:
        shown = " ".join(a[:40] for a in args)
        assert "Traceback" not in output and "internal error" not in output, f"{shown}\n{output[-2000:]}"
        assert code == 1, f"{shown}: exit {code}\n{output[-2000:]}"
        errors = [line for line in output.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1 and message in errors[0], f"{shown}: {output[-2000:]}"
    assert list(api.request_log) == []
    print(f"\nhostile arguments: {len(cases)} cases ({len(risky)} as processes)")


# -- hypothesis: the loader on random input -------------------------------------------------------------------------

YAML_PIECES = st.sampled_from([
    "kind: ", "Workspace", "Queue", "Schema", "Hook", "key: ", "name: ", "k", "x", "\n", "  ", "- ", ": ", "[", "]",
    "{", "}", ",", "&a ", "*a", "&b ", "*b", "<<: *a", "!!python/object:os.system ", "!!binary ", "!include ", "---\n",
    "...\n", "'", '"', "#", "|", ">", "? ", "%YAML 1.1\n", "%TAG ! tag:x:\n", "${env.HOME}", "${var.x}",
    "${ref.Queue.q.id}", "{file: ../x}", "{file: /etc/passwd}", "{file: rossum.yaml}", "\t", "\ufeff", "\x85",
    "\u2028", "é", "\x7f", "1e999", "0x1F", "-.inf", ".nan", "~", "null", "true", "yes", "2024-01-01",
])  # fmt: skip


def _check_load(text: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "rossum.yaml").write_text("stack: fuzz\n")
        target = root / "m.yaml"
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = load(root, environ={})
        for error in result.errors:
            assert error.file in (target, root / "rossum.yaml") or root in error.file.parents, error
            assert error.message, error


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_give_errors_with_a_place_never_an_exception(data: bytes) -> None:
    _check_load(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(YAML_PIECES, max_size=60).map("".join))
def test_yaml_fragments_give_errors_with_a_place_never_an_exception(text: str) -> None:
    _check_load(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.sampled_from(["NaN", "[" * 5000, "1e400", "9" * 5000, '{"a": -Infinity}']),
                 st.text(alphabet="[]{}\":,0123456789.eE-+ntruefalsNI\\u", max_size=200)))  # fmt: skip
def test_json_arguments_are_parsed_or_refused_with_a_usage_error(text: str) -> None:
    try:
        value = inputs.parse_json(text, "--data")
    except UsageError as exc:
        assert str(exc).startswith("--data")
    else:
        assert isinstance(value, dict)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_id_and_assignment_arguments_are_parsed_or_refused_with_a_usage_error(text: str) -> None:
    for parse in (lambda: inputs.parse_ids([text], "annotation"), lambda: inputs.parse_id(text, "annotation"),
                  lambda: inputs.parse_assignments([text])):  # fmt: skip
        with contextlib.suppress(UsageError):
            parse()
