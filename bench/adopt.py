"""Benchmark of adopting an organization built without rossum-iac: `pull --adopt` of 1,000 objects, then `plan`.

    python bench/adopt.py [--objects 1000] [--rate-limits 0,10] [--out bench/results/adopt.json]

bench/plan.py's generated stack is applied to an emulator database, then every ownership marker and record is
removed from it (as if the organization had been built by hand in the UI). For each ``--rate-limits`` value
(requests per second of the client; 0 = unpaced, 10 = the real API's limit), a fresh copy of that database is
served in this process and the real command runs as a subprocess: ``rossum-iac pull DIR --adopt --auto-approve``,
then ``rossum-iac plan DIR --detailed-exitcode``. Reported: wall time, requests by method (from the emulator's
request log), requests over the rate (the floor the API's limit sets) and whether the plan is empty.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.plan import generate_stack  # noqa: E402
from rossum_iac.client import AsyncRossumAPIClient, UserCredentials  # noqa: E402
from rossum_iac.emulator import serve_in_thread  # noqa: E402
from rossum_iac.engine import execute, make_plan  # noqa: E402
from rossum_iac.kinds import MARKER_KEY  # noqa: E402

COMMAND = [sys.executable, "-c", "from rossum_iac.cli.main import main; main()"]


async def _apply(db: Path, objects: int) -> None:
    with serve_in_thread(db=db) as emu:
        credentials = UserCredentials(emu.username, emu.password)
        async with AsyncRossumAPIClient(
            emu.base_url, credentials, max_in_flight_requests=16, requests_per_second=None
        ) as client:
            plan, context = await make_plan(client, generate_stack(objects))
            if not (await execute(client, plan, context, parallelism=16)).ok:
                raise SystemExit("setup apply failed")


def _forget_ownership(db: Path) -> int:
    """Remove every marker and record (the organization's ones included); the number of objects changed."""
    con = sqlite3.connect(db)
    changed = 0
    for collection, obj_id, data in con.execute("SELECT collection, id, data FROM objects").fetchall():
        obj = json.loads(data)
        metadata = obj.get("metadata")
        if isinstance(metadata, dict) and MARKER_KEY in metadata:
            del metadata[MARKER_KEY]
            con.execute(
                "UPDATE objects SET data = ? WHERE collection = ? AND id = ?", (json.dumps(obj), collection, obj_id)
            )
            changed += 1
    con.commit()
    con.close()
    return changed


def _adopt(db: Path, work: Path, rate: int) -> dict[str, Any]:
    out = work / f"adopted-{rate}"
    with serve_in_thread(db=db) as emu:
        emu.request_log.clear()
        env = {**os.environ, "ROSSUM_API_TOKEN": emu.token, "ROSSUM_IAC_RATE_LIMIT": str(rate)}
        target = ["--base-url", emu.base_url]
        start = time.perf_counter()
        pulled = subprocess.run(
            [*COMMAND, "pull", str(out), "--adopt", "--auto-approve", *target],
            env=env, cwd=work, capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - start
        methods = Counter(method for method, _, _ in emu.request_log)
        start = time.perf_counter()
        plan = subprocess.run(
            [*COMMAND, "plan", str(out), "--detailed-exitcode", *target],
            env=env, cwd=work, capture_output=True, text=True,
        )  # fmt: skip
        plan_wall = time.perf_counter() - start
    if pulled.returncode != 0 or not methods:
        raise SystemExit(f"pull --adopt failed (exit {pulled.returncode}): {pulled.stderr[-2000:]}")
    requests = sum(methods.values())
    return {
        "rate_limit": rate,
        "wall_s": round(wall, 2),
        "requests": requests,
        "by_method": dict(methods),
        "requests_over_rate_s": round(requests / rate, 1) if rate else None,
        "wall_over_requests_over_rate": round(wall / (requests / rate), 3) if rate else None,
        "plan_after_exit_code": plan.returncode,
        "plan_after_empty": plan.returncode == 0 and "No changes." in plan.stdout,
        "plan_after_wall_s": round(plan_wall, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--rate-limits", default="0,10")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "adopt.json")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pristine = work / "org.sqlite3"
        asyncio.run(_apply(pristine, args.objects))
        forgotten = _forget_ownership(pristine)
        runs = []
        for rate in [int(r) for r in args.rate_limits.split(",") if r.strip()]:
            db = work / f"org-{rate}.sqlite3"
            shutil.copyfile(pristine, db)
            runs.append(_adopt(db, work, rate))
            print(json.dumps(runs[-1]), flush=True)
    results = {
        "benchmark": "adopt",
        "command": "python bench/adopt.py " + " ".join(sys.argv[1:]),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_after": os.getloadavg()[0],
        "objects": args.objects,
        "objects_with_markers_removed": forgotten,
        "emulator": "in the benchmark's process, no latency; the client's pacing is the only limit",
        "runs": runs,
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
