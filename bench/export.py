"""Emulator JSON export: does the cost of a page stay flat as the queue grows?

    python bench/export.py [--small 2000] [--factor 10] [--page-size 100] [--repeat 3]

Two emulators (``:memory:``, defaults: no latency, no faults) get a queue with ``small`` and ``small x factor``
annotations (status ``to_review``, a six-field schema, each with its own document of distinct bytes, so no
duplicate relations are made). They are seeded directly through the emulator's own import functions in one
transaction (setup, not measured). Then the whole queue is exported as JSON by walking
``GET /queues/{id}/export?format=json&page_size=<page-size>`` from page 1 along ``pagination.next``.
If a page costs the same whatever the queue size, one large export takes as long as ``factor`` small ones:
the figure reported is ``ratio = t(large export) / t(factor small exports in a row)``, target <= 1.2. Samples of
the two sizes alternate (see :func:`measure`) and the fastest of ``repeat`` counts.

Prints the figures and writes ``bench/results/export.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rossum_iac.emulator import serve_in_thread  # noqa: E402
from rossum_iac.emulator.http import Request  # noqa: E402
from rossum_iac.emulator.resources._importing import IncomingFile, create_annotation, create_document  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_RATIO = 1.2
FIELDS = ["document_id", "sender_name", "recipient_name", "iban", "order_id", "terms"]
SCHEMA = [
    {
        "category": "section",
        "id": "basic",
        "label": "Basic",
        "children": [
            {"category": "datapoint", "id": name, "label": name, "type": "string", "rir_field_names": []}
            for name in FIELDS
        ],
    }
]


def _client(emu: Any) -> httpx.Client:
    return httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.token}"}, timeout=120)


def seed(emu: Any, count: int) -> int:
    """A queue with ``count`` annotations to review; returns the queue id."""
    with _client(emu) as api:
        ws = api.post("/workspaces", json={"name": "export bench"}).json()
        schema = api.post("/schemas", json={"name": "export bench", "content": SCHEMA}).json()
        queue = api.post("/queues", json={"name": "export bench", "workspace": ws["url"], "schema": schema["url"]})
        queue_id = int(queue.json()["id"])
    store = emu.app.store
    with store.transaction() as tx:
        admin = tx.find("users", username=emu.username)[0]
        queue_obj = tx.require("queues", queue_id)
        req = Request(method="TASK", path="", base_url=emu.base_url, app=emu.app, user=admin)
        req._tx = tx
        for i in range(count):
            data = f"%PDF-1.4 export bench document {i}\n".encode()
            doc = create_document(req, IncomingFile(f"doc-{i:06d}.pdf", data, "application/pdf"), organization=None)
            values = {f"upload:{name}": f"{name}-{i}" for name in FIELDS[:2]}
            create_annotation(req, queue_obj, doc, values=values, status="to_review")
    return queue_id


def walk_export(emu: Any, queue_id: int, page_size: int, expected: int) -> dict[str, Any]:
    url: str | None = f"/queues/{queue_id}/export?format=json&page_size={page_size}"
    seen = pages = 0
    slowest = 0.0
    with _client(emu) as api:
        api.get(f"/queues/{queue_id}/export?format=json&page_size=1")  # warm-up: connection, caches
        start = time.perf_counter()
        while url:
            t0 = time.perf_counter()
            r = api.get(url)
            slowest = max(slowest, time.perf_counter() - t0)
            if r.status_code != 200:
                raise SystemExit(f"export page {pages + 1}: HTTP {r.status_code} {r.text[:200]}")
            body = r.json()
            seen += len(body["results"])
            pages += 1
            url = body["pagination"]["next"]
        elapsed = time.perf_counter() - start
    if seen != expected:
        raise SystemExit(f"exported {seen} annotations, expected {expected}")
    return {"seconds": elapsed, "pages": pages, "slowest_page_ms": round(slowest * 1000, 2)}


def _summary(count: int, seeded: float, walks: list[dict[str, Any]], per_sample: int) -> dict[str, Any]:
    """``walks`` in samples of ``per_sample`` consecutive walks; the fastest sample counts."""
    samples = [walks[i : i + per_sample] for i in range(0, len(walks), per_sample)]
    seconds = [sum(w["seconds"] for w in sample) for sample in samples]
    best = min(range(len(samples)), key=lambda i: seconds[i])
    pages = sum(w["pages"] for w in samples[best])
    return {
        "annotations": count,
        "seed_seconds": round(seeded, 2),
        "walks_per_sample": per_sample,
        "pages_per_sample": pages,
        "sample_seconds": round(seconds[best], 3),
        "all_samples_seconds": [round(t, 3) for t in seconds],
        "ms_per_page": round(seconds[best] / pages * 1000, 2),
        "slowest_page_ms": max(w["slowest_page_ms"] for w in samples[best]),
    }


def measure(small_count: int, factor: int, page_size: int, repeat: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both emulators live side by side. A sample of the small size is ``factor`` walks in a row (the time
    ``factor`` small exports take), a sample of the large size one walk; samples alternate, ``repeat`` of each,
    so both sizes are timed over similar spans and a burst of load from elsewhere on the machine does not
    favour one. The fastest sample of each size counts."""
    large_count = small_count * factor
    with serve_in_thread() as small_emu, serve_in_thread() as large_emu:
        sizes = {"small": (small_emu, small_count, factor), "large": (large_emu, large_count, 1)}
        queues: dict[str, int] = {}
        seeded: dict[str, float] = {}
        for name, (emu, count, _) in sizes.items():
            started = time.perf_counter()
            queues[name] = seed(emu, count)
            seeded[name] = time.perf_counter() - started
        walks: dict[str, list[dict[str, Any]]] = {"small": [], "large": []}
        for _ in range(repeat):
            for name, (emu, count, walks_per_sample) in sizes.items():
                for _ in range(walks_per_sample):
                    walks[name].append(walk_export(emu, queues[name], page_size, count))
    return (
        _summary(small_count, seeded["small"], walks["small"], factor),
        _summary(large_count, seeded["large"], walks["large"], 1),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", type=int, default=2000, help="annotations in the small queue")
    parser.add_argument("--factor", type=int, default=10, help="the large queue has small x factor annotations")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="samples per size (the fastest counts)")
    parser.add_argument("--out", type=Path, default=RESULTS / "export.json")
    args = parser.parse_args()

    small, large = measure(args.small, args.factor, args.page_size, args.repeat)
    for figures in (small, large):
        print(
            f"{figures['annotations']:>7} annotations x {figures['walks_per_sample']} export(s): "
            f"{figures['sample_seconds']:.3f} s ({figures['ms_per_page']} ms/page; "
            f"samples {figures['all_samples_seconds']})"
        )
    ratio = large["sample_seconds"] / small["sample_seconds"]
    result = {
        "benchmark": "emulator JSON export, whole queue page by page",
        "command": "python bench/export.py " + " ".join(sys.argv[1:]),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "page_size": args.page_size,
        "small": small,
        "large": large,
        "ratio_large_to_factor_times_small": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(
        f"ratio t({large['annotations']}) / ({args.factor} x t({small['annotations']})) = {ratio:.3f} "
        f"(target <= {TARGET_RATIO}: {verdict}); written to {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
