"""Benchmark of the document commands against the emulator.

    python bench/documents.py [--files 200] [--latency-ms 50] [--annotations 10000] [--out bench/results/documents.json]

1. ``documents upload`` of N small files (no --wait) with --concurrency 1, 4 and 8, the emulator answering every
   request after ``latency_ms``: wall time and speed-up over concurrency 1. Each file costs two requests
   (``POST uploads`` and ``GET`` of its task), so the sequential floor is about 2 x N x latency. The command runs
   in this process through click's CliRunner (exactly the CLI code path); the emulator runs in threads. The
   client's pacing is off (``--rate-limit 0``; for the exports below ``ROSSUM_IAC_RATE_LIMIT=0``): a
   ``--base-url`` is paced at the real API's 10 requests per second by default, which would measure the pacing
   (about 42 s at every concurrency, 10 s more for the JSON export's 100 pages) instead of the client.
2. ``annotations export`` of M annotations in each format to a file: wall time, output size and the peak RSS
   (``VmHWM`` at exit) of the CLI process, run as a subprocess so the emulator's memory is not counted;
   next to it the peak RSS and time of the same CLI listing one annotation (``annotations list --limit 1``): the
   cost of starting Python, importing the CLI and making a request.
   An export held in memory would add at least the output size to the baseline.

Results are printed and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from rossum_iac.cli.main import main  # noqa: E402
from rossum_iac.emulator import serve_in_thread  # noqa: E402

FIELDS = ["document_id", "sender_name", "recipient_name", "iban", "order_id", "terms"]
SCHEMA = [
    {
        "category": "section",
        "id": "basic",
        "label": "Basic",
        "children": [
            {
                "category": "datapoint",
                "id": name,
                "label": name.replace("_", " ").title(),
                "type": "string",
                "rir_field_names": [f"upload:{name}"],
            }
            for name in FIELDS
        ],
    }
]
# The CLI in a child process that writes its peak RSS (VmHWM, kB) to $BENCH_HWM_FILE at exit. VmHWM belongs to the
# process's own address space; ru_maxrss from wait4 would also count the pages of this (large) parent that the
# child shared between fork and exec.
CLI_WRAPPER = """
import atexit, os

def _report_peak():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["BENCH_HWM_FILE"], "w") as out:
        out.write(peak)

atexit.register(_report_peak)
from rossum_iac.cli.main import main
main()
"""
CLI = [sys.executable, "-c", CLI_WRAPPER]


def make_queue(api: httpx.Client) -> int:
    organization = api.get("/auth/user").json()["organization"]
    workspace = api.post("/workspaces", json={"name": "Bench", "organization": organization}).json()
    schema = api.post("/schemas", json={"name": "Bench", "content": SCHEMA}).json()
    queue = api.post("/queues", json={"name": "Bench", "workspace": workspace["url"], "schema": schema["url"]})
    queue.raise_for_status()
    return int(queue.json()["id"])


def bench_uploads(files: int, latency_ms: float, workdir: Path) -> dict[str, Any]:
    paths = []
    for index in range(files):
        path = workdir / f"doc-{index:04d}.pdf"
        path.write_bytes(b"%PDF-1.4\n" + os.urandom(2048))
        paths.append(str(path))
    runs: dict[str, Any] = {}
    with serve_in_thread(import_delay_s=0.05) as emu:
        with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}) as api:
            queue_id = make_queue(api)
        emu.settings.latency_ms = latency_ms
        runner = CliRunner()
        for concurrency in (1, 4, 8):
            emu.request_log.clear()
            start = time.perf_counter()
            args = ["documents", "upload", *paths, "--queue", str(queue_id), "--concurrency", str(concurrency)]
            result = runner.invoke(
                main,
                [*args, "--json", "--base-url", emu.base_url, "--rate-limit", "0"],
                env={"ROSSUM_API_TOKEN": emu.token},
            )
            seconds = time.perf_counter() - start
            if result.exit_code != 0:
                raise SystemExit(f"upload failed (concurrency {concurrency}): {result.output[-2000:]}")
            states = {r["state"] for r in json.loads(result.stdout)["results"]}
            assert states == {"uploaded"}, states
            requests = len(emu.request_log)
            runs[str(concurrency)] = {
                "seconds": round(seconds, 3),
                "files_per_second": round(files / seconds, 1),
                "requests": requests,
            }
            print(f"upload {files} files, concurrency {concurrency}: {seconds:.2f} s, {requests} requests", flush=True)
    base = runs["1"]["seconds"]
    for run in runs.values():
        run["speedup_vs_sequential"] = round(base / run["seconds"], 2)
    return {
        "files": files,
        "file_bytes": 2048 + 9,
        "latency_ms": latency_ms,
        "client_rate_limit": 0,
        "sequential_floor_seconds": round(2 * files * latency_ms / 1000, 2),
        "runs": runs,
    }


def seed_annotations(api: httpx.Client, queue_id: int, count: int) -> None:
    per_request = 100
    values = json.dumps({f"upload:{name}": f"{name.upper()}-value-0123456789" for name in FIELDS})
    done = 0
    while done < count:
        batch = min(per_request, count - done)
        # distinct contents: identical files would be linked as duplicates of each other (n^2 relations)
        files = [
            ("content", (f"seed-{done + i}.pdf", f"%PDF-1.4 seed {done + i}".encode(), "application/pdf"))
            for i in range(batch)
        ]
        files.append(("values", ("", values, "application/json")))
        response = api.post("/uploads", params={"queue": queue_id}, files=files, timeout=120)
        response.raise_for_status()
        done += batch


def run_cli_measured(args: list[str], env: dict[str, str], workdir: Path) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in kB, exit code, stderr) of one CLI process."""
    hwm_file = workdir / "hwm.txt"
    hwm_file.unlink(missing_ok=True)
    start = time.perf_counter()
    process = subprocess.run(
        [*CLI, *args], env={**env, "BENCH_HWM_FILE": str(hwm_file)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    seconds = time.perf_counter() - start
    peak_kb = int(hwm_file.read_text()) if hwm_file.exists() else -1
    return seconds, peak_kb, process.returncode, process.stderr.decode(errors="replace")


def bench_exports(count: int, workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with serve_in_thread(import_delay_s=0) as emu:
        with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}) as api:
            queue_id = make_queue(api)
            start = time.perf_counter()
            seed_annotations(api, queue_id, count)
            total = api.get("/annotations", params={"queue": queue_id, "page_size": 1}).json()["pagination"]["total"]
            assert total == count, total
            print(f"seeded {count} annotations in {time.perf_counter() - start:.1f} s", flush=True)
        env = {**os.environ, "ROSSUM_API_TOKEN": emu.token, "NO_COLOR": "1", "ROSSUM_IAC_RATE_LIMIT": "0"}
        baseline_args = ["annotations", "list", "--queue", str(queue_id), "--limit", "1", "--base-url", emu.base_url]
        baseline_s, baseline_kb, code, stderr = run_cli_measured(baseline_args, env, workdir)
        assert code == 0, stderr
        results["baseline_peak_rss_mb"] = round(baseline_kb / 1024, 1)
        results["baseline_seconds"] = round(baseline_s, 2)
        for fmt in ("csv", "json", "xml", "xlsx"):
            out = workdir / f"export.{fmt}"
            args = ["annotations", "export", "--queue", str(queue_id), "--format", fmt, "-o", str(out)]
            seconds, peak_kb, code, stderr = run_cli_measured([*args, "--base-url", emu.base_url], env, workdir)
            if code != 0:
                raise SystemExit(f"export {fmt} failed: {stderr[-2000:]}")
            size = out.stat().st_size
            results[fmt] = {
                "seconds": round(seconds, 2),
                "output_mb": round(size / 1024 / 1024, 2),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "rss_above_baseline_mb": round((peak_kb - baseline_kb) / 1024, 1),
            }
            print(
                f"export {count} annotations as {fmt}: {seconds:.2f} s, {size / 1024 / 1024:.1f} MB written, "
                f"peak RSS {peak_kb / 1024:.1f} MB (baseline {baseline_kb / 1024:.1f} MB)",
                flush=True,
            )
    return {"annotations": count, **results}


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--annotations", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "documents.json")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        upload = bench_uploads(options.files, options.latency_ms, workdir)
        export = bench_exports(options.annotations, workdir)
    report = {
        "benchmark": "documents",
        "command": "python bench/documents.py " + " ".join(sys.argv[1:]),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "upload": upload,
        "export": export,
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main_bench()
