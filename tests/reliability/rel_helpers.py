"""Shared by the reliability suites: live copies per ownership marker, unmanaged objects and their snapshots, the
emulator's request log, CLI processes with their peak memory."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rossum_iac.client import SyncRossumAPIClient, Token
from rossum_iac.kinds import KINDS, MARKER_KEY
from tests.qa.qa_helpers import process_env

FAULT_STATUSES = frozenset({0, 429, 500, 502, 503})
"""Statuses of the emulator's injected faults in its request log (0 = dropped connection); with no rate limit and
an in-memory or private database nothing else answers them."""


def client_for(emulator: Any) -> SyncRossumAPIClient:
    return SyncRossumAPIClient(emulator.base_url, Token(emulator.token), requests_per_second=0)


def writes(emulator: Any) -> list[tuple[str, str, int]]:
    return [r for r in emulator.request_log if r[0] not in ("GET", "HEAD")]


def faults(log: Iterable[tuple[str, str, int]]) -> int:
    return sum(1 for r in log if r[2] in FAULT_STATUSES)


def _natural(kind: Any, values: Any) -> str:
    """An object of a kind without metadata, by the fields of its natural key that are not references (``name``
    for most)."""
    parts = [f"{f}={values.get(f)}" for f in kind.natural_key if f not in kind.refs]
    return f"{kind.name} with {', '.join(parts)}"


@dataclass(frozen=True)
class Inventory:
    """What a stack holds: the copies ``live_copies`` should find (one of each) and its addresses. Kinds with
    metadata are counted by ownership marker, the others by their natural key (names)."""

    stack: str
    expected: Counter[str]
    addresses: frozenset[str]


def inventory(root: Path, environ: dict[str, str]) -> Inventory:
    from rossum_iac.manifest import load_stack

    stack = load_stack(root, environ=environ)
    expected: Counter[str] = Counter()
    for obj in stack.objects:
        kind = KINDS[obj.kind]
        if getattr(kind, "singleton", False):  # the organization itself (a kind being added)
            continue
        expected[f"{obj.kind}/{obj.key}" if kind.has_metadata else _natural(kind, obj.fields)] += 1
    return Inventory(stack.name, expected, frozenset(f"{o.kind}/{o.key}" for o in stack.objects))


def live_copies(emulator: Any, stock: Inventory) -> Counter[str]:
    """How many live objects carry each ownership marker of the stack (queues scheduled for deletion do not count),
    and how many objects of the kinds without metadata have each natural key the stack's objects have."""
    copies: Counter[str] = Counter()
    with client_for(emulator) as client:
        for kind in KINDS.values():
            if getattr(kind, "singleton", False):  # the organization itself (a kind being added)
                continue
            if not kind.has_metadata and not any(k.startswith(f"{kind.name} with ") for k in stock.expected):
                continue
            for item in client.request_paginated(kind.collection):
                if item.get("delete_after"):
                    continue
                if not kind.has_metadata:
                    natural = _natural(kind, item)
                    if natural in stock.expected:
                        copies[natural] += 1
                    continue
                marker = (item.get("metadata") or {}).get(MARKER_KEY)
                if isinstance(marker, dict) and marker.get("stack") == stock.stack:
                    copies[f"{kind.name}/{marker['key']}"] += 1
    return copies


# -- unmanaged objects ---------------------------------------------------------------------------------------------


def create_unmanaged(emulator: Any) -> list[str]:
    """Objects nobody manages, made "in the UI" before an apply: a workspace, schema, connector, queue (with its
    default templates), inbox, hook, rule and custom template. Returns their URLs (and those of the queue's default
    templates)."""
    with client_for(emulator) as client:
        post = client.request_json
        workspace = post("POST", "workspaces", json={"name": "Hand-made workspace"})
        schema = post(
            "POST",
            "schemas",
            json={
                "name": "Hand-made schema",
                "content": [
                    {
                        "category": "section",
                        "id": "s",
                        "label": "S",
                        "children": [{"category": "datapoint", "id": "d", "label": "D", "type": "string"}],
                    }
                ],
            },
        )
        connector = post(
            "POST", "connectors", json={"name": "Hand-made connector", "service_url": "https://c.example.com/x"}
        )
        queue = post(
            "POST",
            "queues",
            json={"name": "Hand-made queue", "workspace": workspace["url"], "schema": schema["url"],
                  "connector": connector["url"]},
        )  # fmt: skip
        inbox = post(
            "POST", "inboxes", json={"name": "Hand-made inbox", "queues": [queue["url"]], "email_prefix": "hand-made"}
        )
        hook = post(
            "POST",
            "hooks",
            json={"name": "Hand-made hook", "type": "webhook", "queues": [queue["url"]],
                  "events": ["annotation_status.changed"], "config": {"url": "https://h.example.com/x"}},
        )  # fmt: skip
        rule = post(
            "POST", "rules", json={"name": "Hand-made rule", "queues": [queue["url"]], "trigger_condition": "True"}
        )
        template = post(
            "POST",
            "email_templates",
            json={"name": "Hand-made template", "queue": queue["url"], "type": "custom", "subject": "s",
                  "message": "m"},
        )  # fmt: skip
        defaults = [t["url"] for t in client.request_paginated("email_templates", queue=queue["id"])]
        made = [workspace, schema, connector, queue, inbox, hook, rule, template]
        return sorted({o["url"] for o in made} | set(defaults))


def snapshot(emulator: Any, urls: Iterable[str]) -> dict[str, str]:
    """Each object's JSON exactly as the API answers it (canonical key order)."""
    with client_for(emulator) as client:
        return {url: json.dumps(client.request_json("GET", url), sort_keys=True) for url in urls}


# -- processes -----------------------------------------------------------------------------------------------------


PROBED = [
    sys.executable,
    "-c",
    """
import atexit, os, sys
_opened = []
def _audit(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.path.abspath(os.fsdecode(args[0])))
sys.addaudithook(_audit)
def _report():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["RELIABILITY_PROBE"], "w") as out:
        out.write(peak + "\\n" + "\\n".join(_opened))
atexit.register(_report)
from rossum_iac.cli.main import main
main()
""",
]
"""``rossum-iac`` as a process that reports, when it exits, its peak resident memory (``VmHWM`` of its own
address space: ``ru_maxrss`` would include the memory of this test process, from which it was forked) and every
file it opened (Python's ``open`` audit event: ``open()``, ``os.open``, imports)."""


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float
    """Peak resident memory of the process."""
    opened: list[str] = field(default_factory=list)
    """Absolute paths of the files it opened."""

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120, stdin: str | None = None
) -> Run:
    """``rossum-iac ARGS`` as a real process (``PROBED``: with its peak memory and the files it opened). Not finishing
    within ``timeout`` fails the test (the process is killed first)."""
    started = time.monotonic()
    fd, probe = tempfile.mkstemp(prefix="probe-", suffix=".txt")
    os.close(fd)
    process = subprocess.Popen(
        [*PROBED, *args],
        cwd=cwd,
        env={**(env or process_env()), "RELIABILITY_PROBE": probe},
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out: dict[str, bytes] = {}

    def drain(name: str, stream: Any) -> None:
        out[name] = stream.read()

    streams = (("out", process.stdout), ("err", process.stderr))
    readers = [threading.Thread(target=drain, args=pair) for pair in streams]
    for reader in readers:
        reader.start()
    if stdin is not None and process.stdin is not None:
        with contextlib.suppress(BrokenPipeError):
            process.stdin.write(stdin.encode())
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
    while True:
        pid, status, _ = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > timeout:
            process.kill()
            os.wait4(process.pid, 0)
            process.returncode = -9
            for reader in readers:
                reader.join()
            raise AssertionError(f"rossum-iac {' '.join(args)[:200]} did not finish within {timeout} s")
        time.sleep(0.01)
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    report = Path(probe).read_text().splitlines()
    os.unlink(probe)
    return Run(
        process.returncode,
        out.get("out", b"").decode("utf-8", "replace"),
        out.get("err", b"").decode("utf-8", "replace"),
        time.monotonic() - started,
        int(report[0]) / 1024 if report else float("nan"),
        report[1:],
    )


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.output, run.output[-3000:]
    assert "internal error" not in run.output.lower(), run.output[-3000:]
