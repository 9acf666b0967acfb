"""Benchmark of `pull` and `pull --update` on an organization of 1,000 objects across the eight kinds.

    python bench/pull.py [--latency-ms 20] [--objects 1000] [--changed 50] [--runs 3] [--out bench/results/pull.json]

Steps: apply bench/plan.py's generated stack of N objects to an emulator DB (no latency), then serve that DB from
an emulator in its own process (so its CPU does not compete with the measured client) with the latency, and:

- pull the organization as stack ``bench`` into a new directory (``read_and_pull`` + ``write_files``, what the CLI
  runs), with a fresh client that logs in: HTTP requests counted as the client sends them (target: login +
  auth/user + organization + list pages, nothing per object), wall time next to the bound
  ceil(requests / max_in_flight) x latency, and files written;
- change ``--changed`` objects "in the UI" (PATCH without latency: names, hook code, schema labels, template
  subjects, workspace metadata), then run ``pull --update`` on a fresh copy of the pulled directory (load the stack,
  read, diff, merge, write atomically): wall time, requests and files changed; then check that a plan of the
  updated directory says "No changes.".

The client runs without request pacing (``--rate-limit 0``, as with ``--emulator``); one pull with the client's
default pacing (10 requests/s, used for a real API) is timed as well. Medians of ``--runs`` runs after one warm-up.
Results are printed and written as JSON and a short Markdown table next to it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.plan import emulator_process, generate_stack  # noqa: E402
from rossum_iac.client import AsyncRossumAPIClient, SyncRossumAPIClient, Token, UserCredentials  # noqa: E402
from rossum_iac.emulator import serve_in_thread  # noqa: E402
from rossum_iac.engine import execute, make_plan  # noqa: E402
from rossum_iac.engine.live import read_live  # noqa: E402
from rossum_iac.pull import Selection, build_pull  # noqa: E402
from rossum_iac.pull.update import build_update, load_for_update  # noqa: E402
from rossum_iac.pull.write import write_files  # noqa: E402

MAX_IN_FLIGHT = 4
LOAD_AT_START = os.getloadavg()[0]
"""Other processes competing for the CPUs make wall times longer; the figure says how busy the machine was."""
STACK = "bench"


def _counting_client(http: httpx.AsyncClient, base_url: str, credentials: Any, paced: bool) -> AsyncRossumAPIClient:
    kwargs: dict[str, Any] = {} if paced else {"requests_per_second": None}
    return AsyncRossumAPIClient(base_url, credentials, max_in_flight_requests=MAX_IN_FLIGHT, http_client=http, **kwargs)


def _phase(phases: dict[str, float], name: str, start: tuple[float, float]) -> tuple[float, float]:
    """Record wall and CPU seconds since ``start`` under ``name``; returns the new start."""
    now = (time.perf_counter(), time.process_time())
    phases[f"{name}_wall_s"] = now[0] - start[0]
    phases[f"{name}_cpu_s"] = now[1] - start[1]
    return now


async def _pull_once(
    base_url: str, credentials: Any, out: Path, paced: bool = False
) -> tuple[float, list[str], int, dict[str, float]]:
    """One pull as the CLI runs it (``read_and_pull`` = ``read_live`` + ``build_pull``, then the files)."""
    sent: list[str] = []
    phases: dict[str, float] = {}

    async def count(request: httpx.Request) -> None:
        sent.append(f"{request.method} {request.url.path}")

    async with (
        httpx.AsyncClient(event_hooks={"request": [count]}) as http,
        _counting_client(http, base_url, credentials, paced) as client,
    ):
        start = mark = (time.perf_counter(), time.process_time())
        live = await read_live(client)
        mark = _phase(phases, "read", mark)
        pulled = build_pull(live, STACK, Selection())
        mark = _phase(phases, "convert", mark)
        files = pulled.files
        mark = _phase(phases, "dump_yaml", mark)
        write_files(out, files)
        _phase(phases, "write", mark)
        wall = time.perf_counter() - start[0]
    return wall, sent, len(files), phases


async def _update_once(
    base_url: str, credentials: Any, directory: Path
) -> tuple[float, list[str], Any, dict[str, float]]:
    """One ``pull --update`` as the CLI runs it (load, ``read_and_update`` = ``read_live`` + ``build_update``,
    write)."""
    sent: list[str] = []
    phases: dict[str, float] = {}

    async def count(request: httpx.Request) -> None:
        sent.append(f"{request.method} {request.url.path}")

    async with (
        httpx.AsyncClient(event_hooks={"request": [count]}) as http,
        _counting_client(http, base_url, credentials, paced=False) as client,
    ):
        start = mark = (time.perf_counter(), time.process_time())
        stack = load_for_update(directory, None, os.environ)
        mark = _phase(phases, "load_manifests", mark)
        live = await read_live(client)
        mark = _phase(phases, "read", mark)
        result = build_update(stack, live)
        mark = _phase(phases, "plan_merge_check", mark)
        phases.update({f"of_which_{step}_wall_s": value for step, value in result.seconds.items()})
        result.write()
        _phase(phases, "write", mark)
        wall = time.perf_counter() - start[0]
    return wall, sent, result, phases


def change_live(base_url: str, token: str, count: int) -> dict[str, int]:
    """``count`` UI-style changes to declared fields, spread over six kinds; returns changes per kind."""
    plan = {"Queue": 0.2, "Hook": 0.2, "Schema": 0.2, "EmailTemplate": 0.2, "Rule": 0.1, "Workspace": 0.1}
    quota = {kind: max(1, round(count * share)) for kind, share in plan.items()}
    quota["Queue"] += count - sum(quota.values())
    done: Counter[str] = Counter()
    client = SyncRossumAPIClient(base_url, Token(token), requests_per_second=None)
    try:
        for kind, collection in (
            ("Queue", "queues"),
            ("Hook", "hooks"),
            ("Schema", "schemas"),
            ("EmailTemplate", "email_templates"),
            ("Rule", "rules"),
            ("Workspace", "workspaces"),
        ):
            for obj in client.request_paginated(collection):
                if done[kind] >= quota[kind]:
                    break
                if kind == "EmailTemplate" and not str(obj.get("name", "")).startswith("Template "):
                    continue  # a queue's own templates are not in the stack
                path = f"{collection}/{obj['id']}"
                if kind in ("Queue", "Rule"):
                    body: dict[str, Any] = {"name": f"{obj['name']} (renamed in the UI)"}
                elif kind == "Hook":
                    code = obj["config"]["code"].replace("'messages': []", "'messages': ['changed']")
                    body = {"config": {**obj["config"], "code": code}}
                elif kind == "Schema":
                    content = client.request_json("GET", path)["content"]
                    content[0]["children"][0]["label"] = "Changed in the UI"
                    body = {"content": content}
                elif kind == "EmailTemplate":
                    body = {"subject": f"{obj['subject']} (changed)"}
                else:
                    body = {"metadata": {**obj["metadata"], "team": "changed"}}
                client.request_json("PATCH", path, json=body)
                done[kind] += 1
    finally:
        client.close()
    return dict(done)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    stack = generate_stack(args.objects)
    latency_s = args.latency_ms / 1000
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "bench.sqlite3"
        with serve_in_thread(db=db) as emu:
            credentials = UserCredentials(emu.username, emu.password)
            token = emu.token
            async with AsyncRossumAPIClient(
                emu.base_url, credentials, max_in_flight_requests=16, requests_per_second=None
            ) as client:
                setup_start = time.perf_counter()
                plan, context = await make_plan(client, stack)
                applied = await execute(client, plan, context, parallelism=16)
                if not applied.ok:
                    raise SystemExit("setup apply failed")
                setup_s = time.perf_counter() - setup_start

        # --- pull ---
        pull_walls: list[float] = []
        pull_phases: list[dict[str, float]] = []
        with emulator_process(db, args.latency_ms) as base_url:
            for run_index in range(1 + args.runs):  # the first run warms the emulator process up
                out = work / f"pulled-{run_index}"
                wall, sent, files, phases = await _pull_once(base_url, credentials, out)
                if run_index:
                    pull_walls.append(wall)
                    pull_phases.append(phases)
            pull_requests = list(sent)
            pulled_dir = out
            paced_wall, paced_sent, _, _ = await _pull_once(base_url, credentials, work / "pulled-paced", paced=True)
        pulled_objects = sum(1 for p in pulled_dir.rglob("*.yaml") if p.name != "rossum.yaml")

        # --- UI changes, then pull --update on copies of the pulled directory ---
        with serve_in_thread(db=db) as emu:
            changed = change_live(emu.base_url, token, args.changed)
        update_walls: list[float] = []
        update_phases: list[dict[str, float]] = []
        with emulator_process(db, args.latency_ms) as base_url:
            for run_index in range(1 + args.runs):
                copy = work / f"update-{run_index}"
                shutil.copytree(pulled_dir, copy)
                wall, update_sent, result, phases = await _update_once(base_url, credentials, copy)
                if run_index:
                    update_walls.append(wall)
                    update_phases.append(phases)
            files_changed = len(result.changes)
            objects_updated = len(result.updated)
            kept = len(result.kept)
            async with AsyncRossumAPIClient(base_url, credentials, requests_per_second=None) as client:
                check, _ = await make_plan(client, load_for_update(copy, None, os.environ))

    def summary(sent: list[str]) -> dict[str, Any]:
        per_endpoint = Counter(path.split(" ", 1)[1].replace("/api/v1/", "") for path in sent)
        pages = {k: v for k, v in per_endpoint.items() if "/" not in k}
        n = len(sent)
        return {
            "http_requests": n,
            "http_requests_by_endpoint": dict(sorted(per_endpoint.items())),
            "list_pages": sum(pages.values()),
            "per_object_requests": n - sum(pages.values()) - 3,
            "wall_bound_s": round(math.ceil(n / MAX_IN_FLIGHT) * latency_s, 3),
        }

    def medians(runs: list[dict[str, float]]) -> dict[str, float]:
        return {name: round(statistics.median(r[name] for r in runs), 3) for name in runs[0]}

    pull_wall = statistics.median(pull_walls)
    update_wall = statistics.median(update_walls)
    pull_summary = summary(pull_requests)
    update_summary = summary(update_sent)
    return {
        "benchmark": "pull",
        "command": "python bench/pull.py " + " ".join(sys.argv[1:]),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1min_at_start": round(LOAD_AT_START, 2),
        "objects_applied": len(stack.objects),
        "objects_per_kind": dict(Counter(o.kind for o in stack.objects)),
        "setup_apply_s": round(setup_s, 2),
        "latency_ms": args.latency_ms,
        "max_in_flight_requests": MAX_IN_FLIGHT,
        "pull": {
            **pull_summary,
            "objects_pulled": pulled_objects,
            "files_written": files,
            "wall_s": round(pull_wall, 3),
            "wall_runs_s": [round(w, 3) for w in pull_walls],
            "wall_over_bound": round(pull_wall / pull_summary["wall_bound_s"], 2),
            "phases": medians(pull_phases),
            "wall_with_default_pacing_s": round(paced_wall, 3),
            "requests_with_default_pacing": len(paced_sent),
        },
        "update": {
            **update_summary,
            "objects_changed_live": sum(changed.values()),
            "changed_live_per_kind": changed,
            "objects_updated": objects_updated,
            "files_changed": files_changed,
            "not_overwritten": kept,
            "wall_s": round(update_wall, 3),
            "wall_runs_s": [round(w, 3) for w in update_walls],
            "wall_over_bound": round(update_wall / update_summary["wall_bound_s"], 2),
            "phases": medians(update_phases),
            "plan_after_update_has_changes": check.has_changes,
        },
    }


def markdown(results: dict[str, Any]) -> str:
    pull, update = results["pull"], results["update"]
    return (
        "# Pull benchmark\n\n"
        f"Command: `{results['command'].strip()}`  \n"
        f"Machine: Python {results['python']}, {results['cpus']} CPUs (load average "
        f"{results['load_average_1min_at_start']} at the start); emulator in its own process, "
        f"{results['latency_ms']:g} ms latency per request, {results['max_in_flight_requests']} requests in flight, "
        "no request pacing  \n"
        f"Organization: {results['objects_applied']} objects applied from bench/plan.py's generated stack\n\n"
        "| Run | Requests (list pages) | Per object | Wall s (median) | Bound s | Files |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: |\n"
        f"| pull, {pull['objects_pulled']} objects | {pull['http_requests']} ({pull['list_pages']}) | "
        f"{pull['per_object_requests']} | {pull['wall_s']} | {pull['wall_bound_s']} | "
        f"{pull['files_written']} written |\n"
        f"| pull --update, {update['objects_changed_live']} changed live | {update['http_requests']} "
        f"({update['list_pages']}) | {update['per_object_requests']} | {update['wall_s']} | "
        f"{update['wall_bound_s']} | {update['files_changed']} changed |\n\n"
        "Bound: ceil(requests / in-flight) x latency. Pages of one collection follow each other (each needs the "
        "previous page's `next`), so the longest collection sets a higher floor than the bound.\n\n"
        "Where the time goes (median wall / CPU seconds):\n\n"
        "| Run | Phase | Wall s | CPU s |\n| --- | --- | ---: | ---: |\n"
        + "".join(
            f"| {run} | {name.replace('of_which_', '- of which ')} | {phases[name + '_wall_s']} | "
            f"{phases.get(name + '_cpu_s', '')} |\n"
            for run, phases in (("pull", pull["phases"]), ("pull --update", update["phases"]))
            for name in dict.fromkeys(key.rsplit("_", 2)[0] for key in phases)
        )
        + f"\nWith the client's default pacing (10 requests/s, used for a real API) the pull took "
        f"{pull['wall_with_default_pacing_s']} s.  \n"
        f"After the update, `plan` has changes: {update['plan_after_update_has_changes']}.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--changed", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="measured runs of each (median reported)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "pull.json")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    print(json.dumps(results, indent=2))
    pull, update = results["pull"], results["update"]
    print(
        f"\npull of {pull['objects_pulled']} objects at {args.latency_ms:g} ms: {pull['http_requests']} requests "
        f"({pull['list_pages']} list pages, {pull['per_object_requests']} per object), wall {pull['wall_s']:.3f} s "
        f"(bound {pull['wall_bound_s']:.3f} s), {pull['files_written']} files; --update with "
        f"{update['objects_changed_live']} changed live: wall {update['wall_s']:.3f} s, {update['files_changed']} "
        f"files changed, plan afterwards has changes: {update['plan_after_update_has_changes']}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(markdown(results))


if __name__ == "__main__":
    main()
