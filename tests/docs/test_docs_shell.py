"""The docs' shell examples run against the emulator, so the docs cannot lie.

Every ```bash block of README.md and docs/*.md is taken apart into commands (``&&`` chains, ``\\`` continuations,
``# comments`` dropped). ``rossum-iac`` commands run in-process, in order, in a scratch repository (a copy of
examples/, a ``manifests/`` stack whose prod environment points at the emulator, the files the examples upload);
``export`` and ``VAR=value`` set variables (placeholder credentials, ``...`` or example.rossum.app, become the
emulator's); ``> FILE`` keeps stdout. A command whose comment mentions ``exit 2`` may exit 2, every other one must
exit 0. What cannot run is listed below with why (a test fails when the list no longer matches the docs), so nothing
is skipped silently. ```console blocks are transcripts (the validate one is checked in tests/manifest)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rossum_iac.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

NOT_RUNNABLE: dict[str, str] = {
    "pip install .": "installs the package this test runs from",
    'pip install -e ".[test]"': "installs the package and its test tools",
    "pytest": "runs the whole test suite (this test is part of it)",
    'rossum-iac documents upload scan.pdf --queue 12345 --metadata \'{"batch": "2024-05"}\' --values '
    '\'{"upload:organization_unit": "EU"}\' --json': "12345 stands for the id of your queue",
    "rossum-iac annotations export --queue 12345 --format json > export.json": "12345 stands for the id of your queue",
}
"""Commands as written in the docs (after joining continuations, without comments) that this test does not run."""

DOCUMENT_IDS = {"349000": "document", "294000": "annotation", "294001": "annotation", "856000": "task"}
"""Ids the document examples use: the first ones a fresh emulator gives (checked when the files are uploaded)."""


@dataclass
class Block:
    page: Path
    line: int
    commands: list[str] = field(default_factory=list)

    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> Iterator[Block]:
    text = page.read_text(encoding="utf-8")
    for found in re.finditer(r"^```(bash|sh|shell)\n(.*?)^```", text, re.S | re.M):
        block = Block(page, text.count("\n", 0, found.start()) + 1)
        joined = found.group(2).replace("\\\n", " ")
        for raw in joined.splitlines():
            line = normal(raw)
            if line:
                block.commands += [part.strip() for part in line.split(" && ")]
        yield block


def normal(text: str) -> str:
    """A command line in one spelling: words as a shell reads them, re-quoted; comments dropped."""
    return " ".join(w if w in ("&&", ">") else shlex.quote(w) for w in shlex.split(text, comments=True))


NOT_RUNNABLE = {normal(command): why for command, why in NOT_RUNNABLE.items()}


def comment_of(page: Path, command: str) -> str:
    """The ``# comment`` of the docs line holding ``command`` (documented exit codes), or ""."""
    for line in page.read_text(encoding="utf-8").splitlines():
        if "#" in line and command in normal(line):
            return line.rsplit("#", 1)[1]
    return ""


class Shell:
    """Runs docs commands in ``cwd`` with an environment, recording what ran."""

    def __init__(self, cwd: Path, env: dict[str, str], emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cwd, self.env, self.emulator, self.monkeypatch = cwd, env, emulator, monkeypatch
        self.ran: list[str] = []

    def export(self, words: list[str]) -> None:
        for word in words:
            name, _, value = word.partition("=")
            if name == "ROSSUM_API_BASE_URL":
                value = self.emulator.base_url  # the docs' example host: never contacted
            elif name == "ROSSUM_API_TOKEN" and value in ("", "..."):
                value = self.emulator.token
            self.env[name] = value

    def run(self, block: Block, command: str) -> None:
        if command in NOT_RUNNABLE:
            return
        words = shlex.split(command)
        if words[0] == "export":
            self.export(words[1:])
            return
        env = dict(self.env)
        while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        assert words and words[0] == "rossum-iac", f"{block.where()}: cannot run {command!r} (list it in NOT_RUNNABLE)"
        args, out = words[1:], None
        if ">" in args:
            at = args.index(">")
            args, out = args[:at], args[at + 1]
        args = (
            [str(p.relative_to(self.cwd)) for arg in args for p in _glob(self.cwd, arg)]
            if any("*" in a for a in args)
            else args
        )
        self.monkeypatch.setattr("rossum_iac.cli.pull.interactive", lambda: True)  # pull --adopt asks; answer yes
        result = CliRunner().invoke(main, args, env={**env, "NO_COLOR": "1"}, input="y\n", catch_exceptions=False)
        allowed = {0, 2} if "exit 2" in comment_of(block.page, command) else {0}
        assert result.exit_code in allowed, f"{block.where()}: {command}\n{result.output}"
        if out is not None:
            (self.cwd / out).write_text(result.stdout)
        self.ran.append(command)


def _glob(cwd: Path, arg: str) -> list[Path]:
    return sorted(cwd.glob(arg)) if "*" in arg else [cwd / arg]


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def shell(tmp_path: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Shell:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "examples" / "manifests", tmp_path / "manifests")
    prod = tmp_path / "manifests" / "environments" / "prod.yaml"
    prod.write_text(re.sub(r"(?m)^api_base_url: .*$", f"api_base_url: {emulator.base_url}", prod.read_text()))
    (tmp_path / "invoices").mkdir()
    for name in ("invoices/a.pdf", "invoices/b.pdf", "scan.pdf"):
        (tmp_path / name).write_bytes(PDF)
    monkeypatch.chdir(tmp_path)
    env = {
        "AP_WEBHOOK_SECRET": "docs-secret",
        "ROSSUM_PROD_TOKEN": emulator.token,
        "ROSSUM_API_BASE_URL": emulator.base_url,
        "ROSSUM_API_TOKEN": emulator.token,
    }
    return Shell(tmp_path, env, emulator, monkeypatch)


def prepare_documents(shell: Shell) -> None:
    """docs/documents.md works with the example stack's queues: apply it; its bulk-update reads ops.json."""
    result = CliRunner().invoke(
        main, ["apply", "manifests", "--env", "prod", "--auto-approve"], env=shell.env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output


def after_upload(shell: Shell) -> None:
    """ops.json for the bulk-update example: replace the invoice number of annotation 294000."""
    from e2e_helpers import Live

    live = Live(shell.emulator)
    try:
        content = live.get("annotations/294000/content")["content"]
        [datapoint] = [
            child for section in content for child in section["children"] if child.get("schema_id") == "document_id"
        ]
        (shell.cwd / "ops.json").write_text(
            json.dumps({"operations": [{"op": "replace", "id": datapoint["id"], "value": {"content": {"value": "X"}}}]})
        )
        for object_id, kind in DOCUMENT_IDS.items():
            if kind != "task":  # a finished task redirects to what it made; `tasks show` follows it
                assert live.get(f"{kind}s/{object_id}")["id"] == int(object_id)
    finally:
        live.close()


def run_page(shell: Shell, page: Path) -> list[str]:
    for block in blocks(page):
        for command in block.commands:
            if page.name == "documents.md" and command.startswith("rossum-iac documents show"):
                after_upload(shell)
            shell.run(block, command)
    return shell.ran


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_examples_run(page: Path, shell: Shell) -> None:
    if page.name == "documents.md":
        prepare_documents(shell)
    ran = run_page(shell, page)
    expected = [c for b in blocks(page) for c in b.commands if c not in NOT_RUNNABLE and not c.startswith("export ")]
    assert ran == expected


def test_the_not_runnable_list_matches_the_docs() -> None:
    written = {c for page in PAGES for b in blocks(page) for c in b.commands}
    assert set(NOT_RUNNABLE) <= written, set(NOT_RUNNABLE) - written


def test_readme_quick_start_plan_is_empty_the_second_time(shell: Shell) -> None:
    """The quick start's claim: run the plan again and it says No changes."""
    run_page(shell, ROOT / "README.md")
    result = CliRunner().invoke(main, ["plan", "examples/manifests", "--emulator"], env=shell.env)
    assert result.exit_code == 0 and "No changes." in result.stdout
