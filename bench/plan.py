"""Benchmark of `plan` on an organization with 1,000 managed objects across the eight kinds.

    python bench/plan.py [--latency-ms 20] [--objects 1000] [--out bench/results/plan.json]

Steps: start the emulator (in memory), apply a generated stack of N objects with no latency, then set the
emulator's latency and measure one `plan` (the engine's `make_plan`, exactly what the CLI runs):

- HTTP requests the plan makes, from the emulator's request log (target: login + auth/user + organization + list
  pages, nothing per object), and how many pages each collection needed;
- wall time next to the bound ceil(requests / max_in_flight) x latency (the client keeps at most
  max_in_flight requests in flight);
- CPU time of diffing (build_plan: matching, normalising, diffing, ordering) and of rendering the text, for the
  no-change plan, a plan creating every object, and a plan changing every object (best of 5 runs each).

Results are printed and written as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rossum_iac.client import AsyncRossumAPIClient, UserCredentials  # noqa: E402
from rossum_iac.emulator import serve_in_thread  # noqa: E402
from rossum_iac.engine import execute, make_plan, read_live  # noqa: E402
from rossum_iac.engine.live import LiveState  # noqa: E402
from rossum_iac.engine.planner import build_plan  # noqa: E402
from rossum_iac.engine.render import render_plan  # noqa: E402
from rossum_iac.manifest.model import DesiredObject, Ref, SourceLocation, Stack  # noqa: E402

MAX_IN_FLIGHT = 4

# Share of each kind in the stack (sums to 1,000 for the default size).
MIX = {
    "Workspace": 20,
    "Schema": 100,
    "Connector": 30,
    "Queue": 250,
    "Inbox": 150,
    "Hook": 250,
    "EmailTemplate": 100,
    "Rule": 100,
}


def _schema_content(i: int) -> list[dict]:
    return [
        {
            "category": "section",
            "id": "basic",
            "label": "Basic information",
            "children": [
                {"category": "datapoint", "id": f"field_{j}", "label": f"Field {j} of schema {i}", "type": "string",
                 "rir_field_names": [f"field_{j}"], "constraints": {"required": False}}
                for j in range(8)
            ],
        },
        {
            "category": "section",
            "id": "lines",
            "label": "Line items",
            "children": [
                {
                    "category": "multivalue",
                    "id": "line_items",
                    "label": "Line items",
                    "children": {
                        "category": "tuple",
                        "id": "line_item",
                        "label": "Line item",
                        "children": [
                            {"category": "datapoint", "id": f"item_{j}", "label": f"Item {j}", "type": "number"}
                            for j in range(4)
                        ],
                    },
                }
            ],
        },
    ]


def generate_stack(total: int, rename: bool = False) -> Stack:
    scale = total / sum(MIX.values())
    counts = {kind: max(1, round(n * scale)) for kind, n in MIX.items()}
    suffix = " (renamed)" if rename else ""
    objs: list[DesiredObject] = []

    def add(kind: str, key: str, **fields: object) -> None:
        objs.append(DesiredObject(kind=kind, key=key, fields=fields, source=SourceLocation(Path("bench.yaml"))))

    for i in range(counts["Workspace"]):
        add("Workspace", f"ws-{i}", name=f"Workspace {i}{suffix}", metadata={"team": f"team-{i % 5}"})
    for i in range(counts["Schema"]):
        add("Schema", f"schema-{i}", name=f"Schema {i}{suffix}", content=_schema_content(i))
    for i in range(counts["Connector"]):
        add("Connector", f"conn-{i}", name=f"Connector {i}{suffix}", service_url=f"https://erp.invalid/c{i}",
            asynchronous=True)
    queues = [f"q-{i}" for i in range(counts["Queue"])]
    for i, key in enumerate(queues):
        add("Queue", key, name=f"Queue {i}{suffix}", workspace=Ref("Workspace", f"ws-{i % counts['Workspace']}"),
            schema=Ref("Schema", f"schema-{i % counts['Schema']}"), locale="en_GB",
            settings={"columns": [{"schema_id": "field_0"}]}, default_score_threshold=0.8)
    for i in range(counts["Inbox"]):
        add("Inbox", f"inbox-{i}", name=f"Inbox {i}{suffix}", email_prefix=f"bench-{i}",
            queues=[Ref("Queue", queues[i])])
    for i in range(counts["Hook"]):
        add("Hook", f"hook-{i}", name=f"Hook {i}{suffix}", type="function",
            queues=[Ref("Queue", queues[i % len(queues)]), Ref("Queue", queues[(i + 1) % len(queues)])],
            events=["annotation_content.initialize", "annotation_content.updated"],
            config={"runtime": "python3.12",
                    "code": f"def rossum_hook_request_handler(payload):\n    return {{'messages': [], 'n': {i}}}\n"},
            settings={"threshold": i})
    for i in range(counts["EmailTemplate"]):
        add("EmailTemplate", f"tmpl-{i}", name=f"Template {i}{suffix}", type="custom",
            queue=Ref("Queue", queues[i % len(queues)]), subject=f"Subject {i}", message=f"<p>Body {i}</p>")
    for i in range(counts["Rule"]):
        add("Rule", f"rule-{i}", name=f"Rule {i}{suffix}", queues=[Ref("Queue", queues[i % len(queues)])],
            trigger_condition="True", enabled=True)
    return Stack(name="bench", root=ROOT / "bench", objects=tuple(objs), digest="sha256:bench")


def cpu(func, repeat: int = 5) -> tuple[float, object]:
    best = math.inf
    result = None
    for _ in range(repeat):
        start = time.process_time()
        result = func()
        best = min(best, time.process_time() - start)
    return best, result


def measure_pure(stack: Stack, live: LiveState) -> dict[str, float | int]:
    raw = {kind: [dict(o.data) for o in objs] for kind, objs in live.objects.items()}

    def plan_from_scratch() -> object:
        # A new LiveState each run: fingerprints are cached per live object and must be computed every time.
        return build_plan(stack, LiveState.from_lists(live.organization, raw))

    diff_s, (plan, _) = cpu(plan_from_scratch)
    data = plan.to_json()
    render_s, text = cpu(lambda: render_plan(data))
    return {
        "objects": len(stack.objects),
        "changed_actions": len(plan.changes),
        "diff_cpu_s": round(diff_s, 4),
        "render_cpu_s": round(render_s, 4),
        "rendered_lines": text.count("\n"),
    }


@contextlib.contextmanager
def emulator_process(db: Path, latency_ms: float) -> Iterator[str]:
    """The emulator in its own process (so its CPU does not compete with the measured client), serving ``db``."""
    cmd = [sys.executable, "-c", "from rossum_iac.cli.main import main; main()", "emulator", "serve",
           "--port", "0", "--db", str(db), "--latency-ms", str(latency_ms)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            found = re.search(r"(http://\S+/api/v1)", line)
            if found:
                yield found.group(1)
                return
        raise SystemExit("the emulator did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def run(args: argparse.Namespace) -> dict:
    stack = generate_stack(args.objects)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        with serve_in_thread(db=db) as emu:
            credentials = UserCredentials(emu.username, emu.password)
            async with AsyncRossumAPIClient(emu.base_url, credentials, max_in_flight_requests=16) as client:
                setup_start = time.perf_counter()
                plan, context = await make_plan(client, stack)
                result = await execute(client, plan, context, parallelism=16)
                if not result.ok:
                    failed = [r.to_json() for r in result.results if r.status != "ok"][:5]
                    raise SystemExit(f"setup apply failed: {failed}")
                setup_s = time.perf_counter() - setup_start
                live = await read_live(client)
        empty_live = LiveState(live.organization, {})

        # The measured plan: emulator in its own process with the latency, a fresh client that logs in (as a
        # CLI run does), requests counted as the client sends them.
        # The same read with no added latency: what the emulator itself costs (it renders every page in Python).
        with emulator_process(db, 0) as base_url:
            zero: list[float] = []
            for _ in range(1 + args.runs):
                async with AsyncRossumAPIClient(
                    base_url, credentials, max_in_flight_requests=MAX_IN_FLIGHT
                ) as client:
                    start = time.perf_counter()
                    await read_live(client)
                    zero.append(time.perf_counter() - start)
            read_zero_latency_s = statistics.median(zero[1:])

        with emulator_process(db, args.latency_ms) as base_url:
            sent: list[str] = []

            async def count(request: httpx.Request) -> None:
                sent.append(f"{request.method} {request.url.path}")

            walls: list[float] = []
            reads: list[float] = []
            cpus: list[float] = []
            async with httpx.AsyncClient(event_hooks={"request": [count]}) as http:
                for _ in range(1 + args.runs):  # the first run warms the emulator process up and is not counted
                    sent.clear()
                    async with AsyncRossumAPIClient(
                        base_url, credentials, max_in_flight_requests=MAX_IN_FLIGHT, http_client=http
                    ) as client:
                        wall_start = time.perf_counter()
                        cpu_start = time.process_time()
                        measured_live = await read_live(client)
                        reads.append(time.perf_counter() - wall_start)
                        plan, context = build_plan(stack, measured_live)  # what make_plan does after reading
                        walls.append(time.perf_counter() - wall_start)
                        cpus.append(time.process_time() - cpu_start)
            wall_s = statistics.median(walls[1:])
            read_s = statistics.median(reads[1:])
            plan_cpu_s = statistics.median(cpus[1:])

    per_endpoint = Counter(path.split(" ", 1)[1].replace("/api/v1/", "") for path in sent)
    pages = {k: v for k, v in per_endpoint.items() if "/" not in k}
    n_requests = len(sent)
    latency_s = args.latency_ms / 1000
    bound_s = max(math.ceil(n_requests / MAX_IN_FLIGHT), 3) * latency_s
    return {
        "benchmark": "plan",
        "command": "python bench/plan.py " + " ".join(sys.argv[1:]),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "managed_objects": len(stack.objects),
        "objects_per_kind": dict(Counter(o.kind for o in stack.objects)),
        "live_objects_listed": sum(len(v) for v in live.objects.values()),
        "setup_apply_s": round(setup_s, 2),
        "latency_ms": args.latency_ms,
        "max_in_flight_requests": MAX_IN_FLIGHT,
        "plan_has_changes": plan.has_changes,
        "http_requests": n_requests,
        "http_requests_by_endpoint": dict(sorted(per_endpoint.items())),
        "list_pages": sum(pages.values()),
        "per_object_requests": n_requests - sum(pages.values()) - 3,
        "wall_s": round(wall_s, 3),
        "wall_runs_s": [round(w, 3) for w in walls[1:]],
        "wall_read_s": round(read_s, 3),
        "wall_read_at_0ms_latency_s": round(read_zero_latency_s, 3),
        "wall_bound_s": round(bound_s, 3),
        "wall_over_bound": round(wall_s / bound_s, 2),
        "plan_client_cpu_s": round(plan_cpu_s, 3),
        "pure_cpu": {
            "no_changes": measure_pure(stack, live),
            "all_created": measure_pure(stack, empty_live),
            "all_changed": measure_pure(generate_stack(args.objects, rename=True), live),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="measured plan runs (median reported)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "plan.json")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    print(json.dumps(results, indent=2))
    pure = results["pure_cpu"]
    print(
        f"\nplan of {results['managed_objects']} managed objects at {args.latency_ms:g} ms latency: "
        f"{results['http_requests']} HTTP requests ({results['list_pages']} list pages, "
        f"{results['per_object_requests']} per object), wall {results['wall_s']:.3f} s "
        f"(bound {results['wall_bound_s']:.3f} s); CPU diff {pure['no_changes']['diff_cpu_s']:.3f} s, "
        f"diff+render of 1,000 changes {pure['all_changed']['diff_cpu_s'] + pure['all_changed']['render_cpu_s']:.3f} s"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
