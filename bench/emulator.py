"""Emulator throughput: simple GETs (one keep-alive client, and 4 concurrent clients) and walking a
10,000-object list with page_size=100 by following ``pagination.next``.

Run: ``python bench/emulator.py [--requests N] [--objects N]``; prints the figures and writes
``bench/results/emulator.json`` and ``bench/results/emulator.md``. Default emulator settings
(no latency, no faults, no rate limit, ``:memory:`` DB). Target: >= 500 simple GET/s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from rossum_iac.emulator import serve_in_thread
from rossum_iac.emulator.resource import RESOURCES

RESULTS = Path(__file__).resolve().parent / "results"


def _client(emu: Any) -> httpx.Client:
    return httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}, timeout=30)


def _setup_queue(emu: Any) -> str:
    with _client(emu) as c:
        ws = c.post("/workspaces", json={"name": "bench"}).json()
        schema = c.post("/schemas", json={"name": "bench", "content": []}).json()
        queue = c.post("/queues", json={"name": "bench", "workspace": ws["url"], "schema": schema["url"]}).json()
        return f"/queues/{queue['id']}"


def bench_single(emu: Any, path: str, n: int) -> dict[str, Any]:
    latencies: list[float] = []
    with _client(emu) as c:
        for _ in range(50):  # warm-up
            c.get(path)
        start = time.perf_counter()
        for _ in range(n):
            t0 = time.perf_counter()
            r = c.get(path)
            latencies.append(time.perf_counter() - t0)
            if r.status_code != 200:
                raise SystemExit(f"unexpected status {r.status_code}")
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": n,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(n / elapsed, 1),
        "latency_ms_p50": round(statistics.median(latencies) * 1000, 3),
        "latency_ms_p95": round(latencies[int(0.95 * len(latencies)) - 1] * 1000, 3),
    }


def bench_concurrent(emu: Any, path: str, n_per_client: int, clients: int) -> dict[str, Any]:
    errors: list[str] = []
    barrier = threading.Barrier(clients + 1)

    def worker() -> None:
        with _client(emu) as c:
            c.get(path)
            barrier.wait()
            for _ in range(n_per_client):
                r = c.get(path)
                if r.status_code != 200:
                    errors.append(str(r.status_code))

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"unexpected statuses: {errors[:5]}")
    total = n_per_client * clients
    return {
        "clients": clients,
        "requests": total,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(total / elapsed, 1),
    }


def bench_walk(emu: Any, objects: int) -> dict[str, Any]:
    """Insert ``objects`` queues directly (setup is not what we measure), then walk every page."""
    queues = RESOURCES["queues"]
    with _client(emu) as c:
        ws = c.post("/workspaces", json={"name": "walk"}).json()
        schema = c.post("/schemas", json={"name": "walk", "content": []}).json()
    ws_id, schema_id = ws["id"], schema["id"]
    with emu.app.store.transaction() as tx:
        generic = tx.meta_get("default_generic_engine")
        for i in range(objects):
            obj = queues.new_object()
            obj.update(name=f"walk-{i:05d}", workspace=ws_id, schema=schema_id, generic_engine=generic)
            tx.insert("queues", obj)
    url: str | None = f"{emu.base_url}/queues?workspace={ws_id}&page_size=100&ordering=&include_total=true"
    seen = pages = 0
    with _client(emu) as c:
        start = time.perf_counter()
        while url:
            body = c.get(url).json()
            seen += len(body["results"])
            pages += 1
            url = body["pagination"]["next"]
        elapsed = time.perf_counter() - start
    if seen != objects:
        raise SystemExit(f"walked {seen} objects, expected {objects}")
    return {
        "objects": objects,
        "pages": pages,
        "seconds": round(elapsed, 3),
        "pages_per_second": round(pages / elapsed, 1),
        "objects_per_second": round(objects / elapsed, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=3000, help="GETs for the single-client run")
    parser.add_argument("--objects", type=int, default=10_000, help="objects in the paginated list")
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    load_before = round(os.getloadavg()[0], 2)
    with serve_in_thread() as emu:
        path = _setup_queue(emu)
        single = bench_single(emu, path, args.requests)
        concurrent = bench_concurrent(emu, path, args.requests // args.clients, args.clients)
        walk = bench_walk(emu, args.objects)

    results = {
        "benchmark": "emulator",
        "command": "python bench/emulator.py " + " ".join(sys.argv[1:]),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_1m": {"before": load_before, "after": round(os.getloadavg()[0], 2)},
        },
        "settings": "defaults: :memory: DB, latency_ms=0, fault_rate=0, rate_limit=None",
        "get_queue_single_keepalive_client": single,
        "get_queue_concurrent_clients": concurrent,
        "walk_paginated_list": walk,
        "target_get_per_second": 500,
        "meets_target": single["requests_per_second"] >= 500 and concurrent["requests_per_second"] >= 500,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "emulator.json").write_text(json.dumps(results, indent=2) + "\n")
    md = [
        "# Emulator benchmark",
        "",
        f"Command: `{results['command'].strip()}`  ",
        f"Machine: Python {results['machine']['python']}, {results['machine']['cpus']} CPUs, "
        f"{results['machine']['platform']}  ",
        f"Load average (1 min) before/after: {load_before} / {results['machine']['load_average_1m']['after']} "
        "(other processes on the machine slow every figure down)  ",
        f"Settings: {results['settings']}",
        "",
        "| Measurement | Requests | Seconds | Throughput |",
        "| --- | ---: | ---: | ---: |",
        f"| GET /queues/{{id}}, 1 keep-alive client | {single['requests']} | {single['seconds']} | "
        f"{single['requests_per_second']} req/s (p50 {single['latency_ms_p50']} ms, "
        f"p95 {single['latency_ms_p95']} ms) |",
        f"| GET /queues/{{id}}, {concurrent['clients']} concurrent clients | {concurrent['requests']} | "
        f"{concurrent['seconds']} | {concurrent['requests_per_second']} req/s |",
        f"| Walk {walk['objects']} queues, page_size=100 (following next) | {walk['pages']} pages | "
        f"{walk['seconds']} | {walk['pages_per_second']} pages/s, {walk['objects_per_second']} objects/s |",
        "",
        f"Target >= 500 GET/s: {'met' if results['meets_target'] else 'NOT met'}.",
        "",
    ]
    (RESULTS / "emulator.md").write_text("\n".join(md))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
