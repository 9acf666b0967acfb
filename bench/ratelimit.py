"""The client pacing itself: against a rate-limited emulator, and its cost without a limit (next to the SDK).

    python bench/ratelimit.py [--rate-limit 10] [--latency-ms 20] [--sdk-python /tmp/sdkvenv/bin/python]
                              [--out bench/results/ratelimit.json]

Every emulator measured runs in its own process (``rossum-iac emulator serve``), so its CPU does not compete with
the client; its databases are prepared first in this process without a limit.

1. Rate-limited (``--rate-limit 10``, ``--latency-ms 20``), clients with their defaults (10 requests/s):
   60 concurrent ``retrieve_workspace`` calls, a 300-object apply (the engine: ``make_plan`` + ``execute`` with
   parallelism 16, as ``rossum-iac apply --parallelism 16``), a 1,000-object plan (``make_plan``'s two steps:
   reading the organization, then planning, which is CPU only and reported apart). For each: failures (must be
   0), requests made and 429s received (every response, seen by ``response_post_processor``), wall time against
   requests / rate (target: within 1.2x).
2. No limit (same latency): listing 1,500 workspaces and 200 concurrent retrieves, ours (``requests_per_second=0``,
   default ``max_in_flight_requests``) against the public SDK in the same run, each client in its own process
   (``bench/_throughput_driver.py``), rounds alternating; medians and the ratio ours / SDK (target: <= 1.0).
   The SDK is ``rossum-api`` from ``--sdk-python`` (a throwaway venv: ``python -m venv /tmp/sdkvenv &&
   /tmp/sdkvenv/bin/pip install rossum-api``); without it, a small httpx script doing what the SDK does
   (``sdk-like``) is the baseline, and the output says so. Ours with the old bound of 4 in flight is measured too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from plan import generate_stack  # noqa: E402  (bench/plan.py: the generated stack of the plan benchmark)

from rossum_iac.client import AsyncRossumAPIClient, Token  # noqa: E402
from rossum_iac.emulator import serve_in_thread  # noqa: E402
from rossum_iac.engine import build_plan, execute, make_plan, read_live  # noqa: E402

DRIVER = ROOT / "bench" / "_throughput_driver.py"
OLD_MAX_IN_FLIGHT = 4


@contextlib.contextmanager
def emulator_process(db: Path, latency_ms: float, rate_limit: int | None) -> Iterator[str]:
    """``rossum-iac emulator serve`` on ``db`` in its own process; yields its base URL."""
    cmd = [sys.executable, "-c", "from rossum_iac.cli.main import main; main()", "emulator", "serve",
           "--port", "0", "--db", str(db), "--latency-ms", str(latency_ms)]
    if rate_limit:
        cmd += ["--rate-limit", str(rate_limit)]
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


class Counter:
    """Counts the responses a client got (``response_post_processor``)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []

    def __call__(self, response: httpx.Response) -> None:
        self.statuses.append(response.status_code)

    def figures(self, wall_s: float, failures: int, rate: float, **extra: Any) -> dict[str, Any]:
        requests = len(self.statuses)
        ideal_s = requests / rate
        return {
            "failures": failures,
            "requests": requests,
            "responses_429": self.statuses.count(429),
            "wall_s": round(wall_s, 2),
            "requests_over_rate_s": round(ideal_s, 2),
            "wall_over_ideal": round(wall_s / ideal_s, 3),
            **extra,
        }


# -- preparation (in this process, no limit, no latency) ---------------------------------------------------------


async def prepare_stack(db: Path, objects: int) -> None:
    with serve_in_thread(db=db) as emu:
        async with AsyncRossumAPIClient(emu.base_url, Token(emu.token), requests_per_second=0) as client:
            plan, context = await make_plan(client, generate_stack(objects))
            result = await execute(client, plan, context, parallelism=16)
            if not result.ok:
                raise SystemExit(f"preparing {objects} objects failed: {[r.to_json() for r in result.results][:3]}")


def prepare_workspaces(db: Path, count: int) -> tuple[str, list[int]]:
    """``count`` workspaces; returns the emulator's token and their ids."""
    with serve_in_thread(db=db) as emu, httpx.Client(
        base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}, timeout=30
    ) as http:
        ids = [http.post("/workspaces", json={"name": f"bench {i}"}).json()["id"] for i in range(count)]
        return emu.token, ids


# -- 1. rate-limited ---------------------------------------------------------------------------------------------


async def limited_retrieves(base_url: str, token: str, workspace_id: int, n: int, rate: float) -> dict[str, Any]:
    counter = Counter()
    async with AsyncRossumAPIClient(base_url, Token(token), response_post_processor=counter) as client:
        start = time.perf_counter()
        results = await asyncio.gather(
            *(client.retrieve_workspace(workspace_id) for _ in range(n)), return_exceptions=True
        )
        wall = time.perf_counter() - start
    failures = sum(isinstance(r, BaseException) for r in results)
    return counter.figures(wall, failures, rate, calls=n)


async def limited_apply(base_url: str, token: str, objects: int, rate: float) -> dict[str, Any]:
    stack = dataclasses.replace(generate_stack(objects), name="ratelimit-apply")
    counter = Counter()
    async with AsyncRossumAPIClient(base_url, Token(token), response_post_processor=counter) as client:
        start = time.perf_counter()
        plan, context = await make_plan(client, stack)
        result = await execute(client, plan, context, parallelism=16)
        wall = time.perf_counter() - start
    failed = [r for r in result.results if r.status != "ok"]
    return counter.figures(wall, len(failed), rate, objects=len(stack.objects), changes=len(plan.changes),
                           failed_examples=[r.to_json() for r in failed[:3]])


async def limited_plan(base_url: str, token: str, objects: int, rate: float) -> dict[str, Any]:
    """``make_plan`` in its two steps: reading the organization (all the HTTP) and the pure planning after it."""
    stack = generate_stack(objects)
    counter = Counter()
    failures = 0
    plan = None
    async with AsyncRossumAPIClient(base_url, Token(token), response_post_processor=counter) as client:
        start = time.perf_counter()
        try:
            live = await read_live(client)
            read_s = time.perf_counter() - start
            plan, _ = build_plan(stack, live)
        except Exception:  # reported as a failure, as the CLI would exit 1
            failures, read_s = 1, time.perf_counter() - start
        wall = time.perf_counter() - start
    figures = counter.figures(wall, failures, rate, objects=objects,
                              plan_has_changes=None if plan is None else plan.has_changes)
    figures["read_s"] = round(read_s, 2)
    figures["read_over_ideal"] = round(read_s / figures["requests_over_rate_s"], 3)
    figures["planning_cpu_after_read_s"] = round(wall - read_s, 2)
    return figures


# -- 2. no limit: ours against the SDK ---------------------------------------------------------------------------


def sdk_available(python: str) -> bool:
    if not Path(python).exists():
        return False
    probe = subprocess.run([python, "-c", "import rossum_api"], capture_output=True)
    return probe.returncode == 0


def run_driver(python: str, kind: str, base_url: str, token: str, ids: list[int], runs: int,
               max_in_flight: int | None = None) -> dict[str, Any]:
    cmd = [python, str(DRIVER), kind, base_url, token, "--ids", ",".join(map(str, ids)), "--runs", str(runs)]
    if max_in_flight:
        cmd += ["--max-in-flight", str(max_in_flight)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{kind} driver failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def unlimited(base_url: str, token: str, ids: list[int], objects: int, args: argparse.Namespace) -> dict[str, Any]:
    have_sdk = sdk_available(args.sdk_python)
    baseline = ("sdk", args.sdk_python) if have_sdk else ("sdk-like", sys.executable)
    series: dict[str, dict[str, list[float]]] = {}
    contenders = [
        ("baseline", baseline[1], baseline[0], None),
        ("ours", sys.executable, "ours", None),
        (f"ours_max_in_flight_{OLD_MAX_IN_FLIGHT}", sys.executable, "ours", OLD_MAX_IN_FLIGHT),
    ]
    for _ in range(args.rounds):
        for name, python, kind, max_in_flight in contenders:
            out = run_driver(python, kind, base_url, token, ids, args.runs, max_in_flight)
            if out["listed"] != objects or out["retrieved"] != len(ids):
                raise SystemExit(f"{name}: listed {out['listed']} of {objects}, retrieved {out['retrieved']}")
            entry = series.setdefault(name, {"list_s": [], "retrieve_s": []})
            entry["list_s"] += out["list_s"]
            entry["retrieve_s"] += out["retrieve_s"]
    medians = {
        name: {key: round(statistics.median(values), 4) for key, values in entry.items()}
        for name, entry in series.items()
    }
    base = medians["baseline"]
    return {
        "baseline": (
            f"rossum-api (the public SDK) from {args.sdk_python}" if have_sdk
            else "sdk-like: an httpx script behaving like the SDK (rossum-api is not installed at --sdk-python)"
        ),
        "listed_objects": objects,
        "concurrent_retrieves": len(ids),
        "runs_per_contender": args.rounds * args.runs,
        "median_s": medians,
        "ours_over_baseline": {
            name: {key: round(m[key] / base[key], 3) for key in base}
            for name, m in medians.items()
            if name != "baseline"
        },
        "samples_s": series,
    }


# -- main --------------------------------------------------------------------------------------------------------


async def limited(args: argparse.Namespace, apply_db: Path, plan_db: Path, token: str, workspace_id: int) -> dict:
    rate = float(args.rate_limit)
    out: dict[str, Any] = {}
    with emulator_process(apply_db, args.latency_ms, args.rate_limit) as base_url:
        out["retrieves"] = await limited_retrieves(base_url, token, workspace_id, args.retrieves, rate)
        await asyncio.sleep(1.1)  # each measurement starts with an empty window
        out["apply"] = await limited_apply(base_url, token, args.apply_objects, rate)
    with emulator_process(plan_db, args.latency_ms, args.rate_limit) as base_url:
        out["plan"] = await limited_plan(base_url, token, args.plan_objects, rate)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate-limit", type=int, default=10, help="the emulator's limit (requests/s)")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--retrieves", type=int, default=60)
    parser.add_argument("--apply-objects", type=int, default=300)
    parser.add_argument("--plan-objects", type=int, default=1000)
    parser.add_argument("--list-objects", type=int, default=1500)
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per contender (no limit)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per round (after one warm-up)")
    parser.add_argument("--sdk-python", default="/tmp/sdkvenv/bin/python")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ratelimit.json")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        apply_db, plan_db, list_db = (Path(tmp) / f"{name}.sqlite3" for name in ("apply", "plan", "list"))
        token, (workspace_id,) = prepare_workspaces(apply_db, 1)
        asyncio.run(prepare_stack(plan_db, args.plan_objects))
        _, list_ids = prepare_workspaces(list_db, args.list_objects)
        limited_results = asyncio.run(limited(args, apply_db, plan_db, token, workspace_id))
        with emulator_process(list_db, args.latency_ms, None) as base_url:
            unlimited_results = unlimited(base_url, token, list_ids[: args.concurrent], args.list_objects, args)
    results = {
        "benchmark": "ratelimit",
        "command": "python bench/ratelimit.py " + " ".join(sys.argv[1:]),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "latency_ms": args.latency_ms,
        "emulator_rate_limit": args.rate_limit,
        "client_defaults": "requests_per_second=10, max_in_flight_requests=16, throttle_timeout=300",
        "rate_limited": limited_results,
        "rate_limited_target": "0 failures; wall_over_ideal <= 1.2 (ideal = requests / rate)",
        "no_limit": unlimited_results,
        "no_limit_target": "ours_over_baseline <= 1.0",
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"rate-limited emulator ({args.rate_limit}/s, {args.latency_ms:g} ms), client defaults:")
    for name, r in limited_results.items():
        print(f"  {name:<10} failures {r['failures']}, {r['requests']} requests, {r['responses_429']} x 429, "
              f"wall {r['wall_s']:.2f} s vs requests/rate {r['requests_over_rate_s']:.2f} s "
              f"= {r['wall_over_ideal']:.2f}x")
        if "read_s" in r:
            print(f"  {'':<10} (reading {r['read_s']:.2f} s = {r['read_over_ideal']:.2f}x, then planning "
                  f"{r['planning_cpu_after_read_s']:.2f} s of CPU without requests)")
    print(f"no limit ({args.latency_ms:g} ms), baseline: {unlimited_results['baseline']}")
    for name, m in unlimited_results["median_s"].items():
        ratio = unlimited_results["ours_over_baseline"].get(name)
        shown = f" -> ours/baseline list {ratio['list_s']:.2f}x, retrieve {ratio['retrieve_s']:.2f}x" if ratio else ""
        print(f"  {name:<24} list {args.list_objects}: {m['list_s']:.3f} s, {args.concurrent} concurrent retrieves: "
              f"{m['retrieve_s']:.3f} s{shown}")
    print(f"({results['bench_seconds']} s; written to {args.out})")


if __name__ == "__main__":
    main()
