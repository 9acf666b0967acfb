"""Plan and apply at organization scale, against the emulator with network latency, next to the network bound and
to the public SDK reading the same collections.

    python bench/scale.py [--sizes 1000,5000] [--latency-ms 20] [--runs 3] [--apply-objects 500]
                          [--parallelism 1,4,8,16] [--sdk-python /tmp/sdkvenv/bin/python]
                          [--ours-python /tmp/rossum-iac-venv/bin/python]
                          [--baseline-commit SHA] [--out bench/results/scale.json]

Every process measured is a fresh interpreter: ``rossum-iac`` itself through ``bench/_scale_driver.py`` (the real
entry point with timers around its phases), and ``bench/sdk_read.py``. Wall time, CPU time (user + system) and peak
RSS come from the operating system (``wait4``). The emulator runs in its own process (``emulator serve --verbose``,
its SQLite file prepared first without latency), so its CPU does not count as ours; its request log gives the
requests of each run. Bytecode is cached outside the tree (``PYTHONPYCACHEPREFIX``), as an installed package would
have it, and a first run of each kind warms the caches up and is not counted. Like the SDK, ``rossum-iac`` runs in
a virtual environment holding only its declared dependencies (``--ours-python``; ``python -m bench`` creates it):
what a user who installed it has. Packages that happen to be installed next to it change what its libraries import
(httpx loads its command-line extras when ``rich`` and ``pygments`` are present, httpcore imports ``trio`` when it
is there: together a tenth of a second); without that interpreter the one running this script is used, and the
report says so.

1. ``plan`` of N managed objects (the realistic stack of ``bench/manifests.py``: schema content files, function
   code, templates, rules; rules capped at 100, the organization metadata's limit) that match the organization
   (``No changes.``), for each size: whole process (wall, CPU, peak RSS), its phases (imports, loading the
   manifests, reading, planning, the event loop, rendering), requests, and the network bound
   ``ceil(requests / 16 in flight) x latency`` (at least 2 round trips: the organization after ``auth/user``, the
   other pages after the first). The emulator renders every page in Python, in one process: the CPU seconds it
   spends serving the run are reported as ``emulator_cpu_s``; no client can read faster than that.
   Alternating with it, the SDK script (``rossum-api`` from ``--sdk-python`` if it imports there, else
   ``--like``: httpx behaving like the SDK; the output says which). ``python -c pass`` is the interpreter start.
2. ``apply`` of ``--apply-objects`` creates into an empty organization for each ``--parallelism``: wall, requests by
   kind (creates, ownership-record writes, reads), the bound ``requests / parallelism x latency``, what the lease
   (taking it, its settle, releasing it) and the duplicate check after the creates cost, and the CPU floor (the CPU
   seconds of the apply and of the emulator over the machine's CPUs: at high parallelism on 2 CPUs it exceeds the
   latency bound).
3. ``--baseline-commit SHA``: the same measurements of the code at that commit (``git archive`` into a temporary
   directory), alternating with the current tree's in the same run: the before/after table.

Writes ``bench/results/scale.json`` and ``scale.md``; ``bench/plots.py`` draws the PNG plots from them.
"""

from __future__ import annotations

import argparse
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
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _trees import baseline_tree  # noqa: E402
from manifests import ENVIRON, generate  # noqa: E402  (bench/manifests.py: the realistic stack)

DRIVER = ROOT / "bench" / "_scale_driver.py"
SDK_SCRIPT = ROOT / "bench" / "sdk_read.py"
TOKEN = "5ca1e" * 8
IN_FLIGHT = 16
MAX_RULES = 100
PYCACHE = Path(tempfile.gettempdir()) / "rossum-iac-bench-pycache"
LOG_LINE = re.compile(r"^\S+ (?P<method>[A-Z]+) (?P<target>\S+) (?P<status>\S+) (?P<ms>[\d.]+)ms$")


# -- processes -----------------------------------------------------------------------------------------------------


def child_env(tree: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(ENVIRON)
    env.update({"ROSSUM_API_TOKEN": TOKEN, "PYTHONPYCACHEPREFIX": str(PYCACHE), "NO_COLOR": "1"})
    env.pop("ROSSUM_IAC_RATE_LIMIT", None)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    return env


def measure(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, CPU seconds (user + system) and peak RSS of that process alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    return {
        "returncode": proc.returncode,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "stdout": stdout,
        "stderr": stderr,
    }


class Emulator:
    """``rossum-iac emulator serve --verbose`` in its own process; its request log lines are collected."""

    def __init__(self, db: str, latency_ms: float) -> None:
        cmd = [sys.executable, "-c", "from rossum_iac.cli.main import main; main()", "emulator", "serve", "--port",
               "0", "--db", db, "--latency-ms", str(latency_ms), "--token", TOKEN, "--verbose"]
        self.latency_ms = latency_ms
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**child_env(ROOT), "PYTHONUNBUFFERED": "1"})
        self.lines: list[tuple[str, str, str, float]] = []
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.base_url = ""
        for line in self.proc.stdout:
            found = re.search(r"(http://\S+/api/v1)", line)
            if found:
                self.base_url = found.group(1)
                break
        if not self.base_url:
            raise SystemExit(f"the emulator did not start: {self.proc.stderr.read()[-2000:]}")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            found = LOG_LINE.match(line.strip())
            if found:
                self.lines.append((found["method"], found["target"], found["status"], float(found["ms"])))

    def mark(self) -> int:
        time.sleep(0.05)  # the last lines of the previous run reach the reader
        return len(self.lines)

    def cpu_s(self) -> float:
        """CPU seconds the emulator process has used so far (user + system, from /proc; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def since(self, mark: int) -> list[tuple[str, str, str, float]]:
        time.sleep(0.1)
        return self.lines[mark:]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


@contextlib.contextmanager
def emulator(db: str, latency_ms: float) -> Iterator[Emulator]:
    emu = Emulator(db, latency_ms)
    try:
        yield emu
    finally:
        emu.close()


def endpoint(target: str) -> str:
    """``GET /api/v1/queues/12?x`` -> ``queues/{id}``; ``/api/v1/queues?page=2`` -> ``queues``."""
    path = target.split("?", 1)[0].removeprefix("/api/v1/").rstrip("/")
    return re.sub(r"/\d+", "/{id}", path)




# -- setup ---------------------------------------------------------------------------------------------------------


def prepare(root: Path, objects: int, db: Path) -> dict[str, Any]:
    """The stack's manifests, applied to a new emulator database without latency."""
    generate(root, objects, max_rules=MAX_RULES)
    with emulator(str(db), 0) as emu:
        run = measure(
            [sys.executable, "-c", "from rossum_iac.cli.main import main; main()", "apply", str(root), "--env",
             "dev", "--auto-approve", "--parallelism", "16", "--base-url", emu.base_url, "--rate-limit", "0"],
            child_env(ROOT),
        )
    if run["returncode"] != 0:
        raise SystemExit(f"setting up {objects} objects failed:\n{run['stderr'][-3000:]}")
    return {"setup_apply_s": round(run["wall_s"], 1)}


# -- 1. plan -------------------------------------------------------------------------------------------------------


OURS_PYTHON = sys.executable
"""The interpreter ``rossum-iac`` runs with (``--ours-python`` when it exists)."""


def ours(tree: Path, root: Path, emu: Emulator, command: str, *extra: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        timings = Path(handle.name)
    mark, cpu = emu.mark(), emu.cpu_s()
    run = measure(
        [OURS_PYTHON, str(DRIVER), str(timings), command, str(root), "--env", "dev", "--base-url", emu.base_url,
         "--rate-limit", "0", *extra],
        child_env(tree),
    )
    lines = emu.since(mark)
    run["emulator_cpu_s"] = emu.cpu_s() - cpu
    try:
        run["inside"] = json.loads(timings.read_text())
    except (OSError, ValueError):
        run["inside"] = {}
    timings.unlink(missing_ok=True)
    run["requests"] = lines
    if run["returncode"] not in (0, 2):
        raise SystemExit(f"rossum-iac {command} failed ({tree}):\n{run['stderr'][-3000:]}")
    return run


def sdk(python: str, like: bool, emu: Emulator) -> dict[str, Any]:
    mark, cpu = emu.mark(), emu.cpu_s()
    cmd = [python, str(SDK_SCRIPT), emu.base_url] + (["--like"] if like else [])
    run = measure(cmd, child_env(None))
    run["requests"] = emu.since(mark)
    run["emulator_cpu_s"] = emu.cpu_s() - cpu
    if run["returncode"] != 0:
        raise SystemExit(f"the SDK script failed:\n{run['stderr'][-3000:]}")
    run["read"] = json.loads(run["stdout"].strip().splitlines()[-1])
    return run


def bound_s(requests: int, latency_ms: float, in_flight: int = IN_FLIGHT) -> float:
    return max(math.ceil(requests / in_flight), 2) * latency_ms / 1000


def stats(values: list[float], digits: int = 3) -> dict[str, Any]:
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "runs": [round(v, digits) for v in values],
    }


def plan_figures(runs: list[dict[str, Any]], latency_ms: float) -> dict[str, Any]:
    requests = [len(r["requests"]) for r in runs]
    phases = [r["inside"].get("phases", {}) for r in runs]

    def phase(name: str, key: str = "wall_s") -> list[float]:
        return [p.get(name, {}).get(key, 0.0) for p in phases]

    read_diff = [a + b for a, b in zip(phase("read_live"), phase("build_plan"), strict=True)]
    bound = bound_s(statistics.median(requests), latency_ms)
    wall = [r["wall_s"] for r in runs]
    return {
        "requests": statistics.median(requests),
        "requests_by_endpoint": dict(sorted(Counter(endpoint(t) for _, t, _, _ in runs[-1]["requests"]).items())),
        "bound_s": round(bound, 3),
        "wall_s": stats(wall),
        "cpu_s": stats([r["cpu_s"] for r in runs]),
        "peak_rss_mb": stats([r["peak_rss_mb"] for r in runs], 1),
        "read_plus_diff_s": stats(read_diff),
        "read_plus_diff_over_bound": round(statistics.median(read_diff) / bound, 2),
        "emulator_cpu_s": stats([r["emulator_cpu_s"] for r in runs]),
        "phases_wall_s": {
            name: round(statistics.median(phase(name)), 3)
            for name in ("load_manifests", "read_live", "build_plan", "event_loop", "render")
        },
        "phases_cpu_s": {
            name: round(statistics.median(phase(name, "cpu_s")), 3)
            for name in ("load_manifests", "read_live", "build_plan", "event_loop", "render")
        },
        "imports_before_command_s": round(
            statistics.median([r["inside"].get("imports_before_command_s", 0.0) for r in runs]), 3
        ),
        "gc_collections": runs[-1]["inside"].get("gc_collections"),
    }


def plan_size(args: argparse.Namespace, trees: dict[str, Path], objects: int, tmp: Path) -> dict[str, Any]:
    root, db = tmp / f"stack-{objects}", tmp / f"org-{objects}.sqlite3"
    setup = prepare(root, objects, db)
    series: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    series["sdk"] = []
    with emulator(str(db), args.latency_ms) as emu:
        for number in range(1 + args.runs):
            for name, tree in trees.items():
                run = ours(tree, root, emu, "plan")
                if "No changes." not in run["stdout"]:
                    raise SystemExit(f"{name}: the plan of {objects} objects is not empty:\n{run['stdout'][:3000]}")
                if number:
                    series[name].append(run)
            run = sdk(args.sdk_python, args.sdk_like, emu)
            if number:
                series["sdk"].append(run)
    read = series["sdk"][-1]["read"]
    out: dict[str, Any] = {
        "managed_objects": objects,
        "live_objects_read_by_sdk": sum(read.values()),
        "sdk_read": read,
        **setup,
    }
    for name in trees:
        out[name] = plan_figures(series[name], args.latency_ms)
        out[name]["vs_sdk_wall"] = round(
            out[name]["wall_s"]["median"] / statistics.median(r["wall_s"] for r in series["sdk"]), 2
        )
    out["sdk"] = {
        "requests": statistics.median(len(r["requests"]) for r in series["sdk"]),
        "wall_s": stats([r["wall_s"] for r in series["sdk"]]),
        "cpu_s": stats([r["cpu_s"] for r in series["sdk"]]),
        "emulator_cpu_s": stats([r["emulator_cpu_s"] for r in series["sdk"]]),
        "peak_rss_mb": stats([r["peak_rss_mb"] for r in series["sdk"]], 1),
    }
    return out


# -- 2. apply ------------------------------------------------------------------------------------------------------


def classify(lines: list[tuple[str, str, str, float]]) -> dict[str, int]:
    """Requests of one apply by what they are for."""
    out: Counter[str] = Counter()
    created = False
    for method, target, _, _ in lines:
        name = endpoint(target)
        if method == "POST" and name != "auth/login":
            created = True
            out["create"] += 1
        elif method == "PATCH" and name.startswith(("organizations/", "queues/")):
            out["record_or_lease_write"] += 1
        elif method in ("PATCH", "PUT"):
            out["other_write"] += 1
        elif method == "DELETE":
            out["delete"] += 1
        elif name.startswith("organizations/"):
            out["organization_read"] += 1
        elif "{id}" not in name and "queue=" in target:
            out["default_template_lookup"] += 1
        elif "{id}" not in name and name not in ("auth/user", "auth/login"):
            out["list_page_after_creates" if created else "list_page_plan"] += 1
        else:
            out["other_read"] += 1
    return dict(sorted(out.items()))


FIXED_COSTS = ("lease_acquire_s", "lease_release_s", "duplicate_check_s")
"""What an apply spends around its writes, whatever their number."""


def apply_runs(args: argparse.Namespace, trees: dict[str, Path], tmp: Path) -> dict[str, Any]:
    root = tmp / f"apply-{args.apply_objects}"
    generate(root, args.apply_objects, max_rules=MAX_RULES)
    results: dict[str, Any] = {name: {} for name in trees}
    for parallelism in args.parallelism:
        for _ in range(args.apply_runs):
            for name, tree in trees.items():
                with emulator(":memory:", args.latency_ms) as emu:
                    run = ours(tree, root, emu, "apply", "--auto-approve", "--parallelism", str(parallelism))
                phases = run["inside"].get("phases", {})
                lines = run["requests"]
                creates = sum(1 for m, t, _, _ in lines if m == "POST" and endpoint(t) != "auth/login")
                execute_s = phases.get("execute", {}).get("wall_s", 0.0)
                results[name].setdefault(str(parallelism), []).append({
                    "wall_s": run["wall_s"],
                    "cpu_s": run["cpu_s"],
                    "emulator_cpu_s": run["emulator_cpu_s"],
                    "execute_s": execute_s,
                    "requests": len(lines),
                    "creates": creates,
                    "by_purpose": classify(lines),
                    "lease_acquire_s": phases.get("lease_acquire", {}).get("wall_s"),
                    "lease_release_s": phases.get("lease_release", {}).get("wall_s"),
                    "duplicate_check_s": phases.get("duplicate_check", {}).get("wall_s"),
                    "ok": "failed" not in run["stdout"].lower() and run["returncode"] == 0,
                })
    out: dict[str, Any] = {"objects": args.apply_objects}
    for name in trees:
        per: dict[str, Any] = {}
        for parallelism, runs in results[name].items():
            requests = statistics.median(r["requests"] for r in runs)
            creates = statistics.median(r["creates"] for r in runs)
            execute = [r["execute_s"] for r in runs]
            bound = requests / int(parallelism) * args.latency_ms / 1000
            per[parallelism] = {
                "ok": all(r["ok"] for r in runs),
                "wall_s": stats([r["wall_s"] for r in runs]),
                "execute_s": stats(execute),
                "requests": requests,
                "creates": creates,
                "requests_per_created_object": round(requests / creates, 3) if creates else None,
                "by_purpose": runs[-1]["by_purpose"],
                "bound_s": round(bound, 3),
                "execute_over_bound": round(statistics.median(execute) / bound, 2),
                # the same without the fixed costs around the writes: the lease (taken, settled, released) and the
                # duplicate check after the creates
                "writes_over_bound": round(statistics.median(r["execute_s"] - sum(r[k] or 0.0 for k in FIXED_COSTS)
                                                             for r in runs) / bound, 2),
                "emulator_cpu_s": stats([r["emulator_cpu_s"] for r in runs]),
                "cpu_s": stats([r["cpu_s"] for r in runs]),
                # no apply can take less than the CPU it and the emulator need, spread over the machine's CPUs
                "cpu_floor_s": round(statistics.median(r["cpu_s"] + r["emulator_cpu_s"] for r in runs)
                                     / (os.cpu_count() or 1), 3),
                "lease_acquire_s": stats([r["lease_acquire_s"] or 0.0 for r in runs]),
                "lease_release_s": stats([r["lease_release_s"] or 0.0 for r in runs]),
                "duplicate_check_s": stats([r["duplicate_check_s"] or 0.0 for r in runs]),
            }
        out[name] = per
    return out


# -- main ----------------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": model,
        "cpus": os.cpu_count(),
        "memory": memory,
    }


def interpreter_start(runs: int = 7) -> float:
    return statistics.median(
        measure([OURS_PYTHON, "-c", "pass"], child_env(None))["wall_s"] for _ in range(runs)
    )


def sdk_choice(args: argparse.Namespace) -> str:
    python = Path(args.sdk_python)
    if not args.sdk_like and python.exists():
        probe = subprocess.run([str(python), "-c", "import rossum_api"], capture_output=True)
        if probe.returncode == 0:
            version = subprocess.run(
                [str(python), "-c", "import importlib.metadata as m; print(m.version('rossum-api'))"],
                capture_output=True, text=True,
            ).stdout.strip()
            return f"rossum-api {version} (the public SDK) in {python}"
    args.sdk_like = True
    args.sdk_python = sys.executable
    return "sdk-like: an httpx script behaving like the SDK (rossum-api is not installed at --sdk-python)"


def ours_choice(args: argparse.Namespace) -> str:
    global OURS_PYTHON
    python = Path(args.ours_python)
    if python.exists() and subprocess.run([str(python), "-c", "import httpx, ruamel.yaml, click"]).returncode == 0:
        OURS_PYTHON = str(python)
        return f"{python} (rossum-iac's declared dependencies only)"
    return f"{sys.executable} (this interpreter: {python} is missing; other packages installed here may slow imports)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3, help="measured plan runs per size (after one warm-up)")
    parser.add_argument("--apply-objects", type=int, default=500)
    parser.add_argument("--parallelism", default="1,4,8,16")
    parser.add_argument("--apply-runs", type=int, default=1, help="apply runs per parallelism")
    parser.add_argument("--sdk-python", default="/tmp/sdkvenv/bin/python")
    parser.add_argument("--sdk-like", action="store_true", help="the httpx SDK-like script even with the SDK")
    parser.add_argument("--ours-python", default="/tmp/rossum-iac-venv/bin/python",
                        help="interpreter with rossum-iac's dependencies only (the tree under test is on PYTHONPATH)")
    parser.add_argument("--baseline-commit", default=None, help="also measure this commit (before/after)")
    parser.add_argument("--baseline-tree", type=Path, default=None, help="or this source tree (its rossum_iac/)")
    parser.add_argument("--skip-apply", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    args = parser.parse_args()
    args.parallelism = [int(p) for p in args.parallelism.split(",")]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    started = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        trees: dict[str, Path] = {}
        if args.baseline_commit:
            trees["before"] = baseline_tree(args.baseline_commit, tmp)
        elif args.baseline_tree:
            trees["before"] = args.baseline_tree.resolve()
        trees["ours"] = ROOT
        baseline = sdk_choice(args)
        ours_python = ours_choice(args)
        start_s = interpreter_start()
        plans = [plan_size(args, trees, n, tmp) for n in sizes]
        applies = None if args.skip_apply else apply_runs(args, trees, tmp)
    report: dict[str, Any] = {
        "benchmark": "scale",
        "command": "python bench/scale.py " + " ".join(sys.argv[1:]),
        "machine": {**machine(), "load_average_1m": {"before": round(load_before[0], 2),
                                                       "after": round(os.getloadavg()[0], 2)}},
        "latency_ms": args.latency_ms,
        "client_in_flight": IN_FLIGHT,
        "sdk_baseline": baseline,
        "ours_python": ours_python,
        "baseline_commit": args.baseline_commit or (str(args.baseline_tree) if args.baseline_tree else None),
        "interpreter_start_s": round(start_s, 3),
        "plan": plans,
        "apply": applies,
        "bench_seconds": round(time.perf_counter() - started, 1),
    }
    report["targets"] = targets(report, list(trees))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    markdown = render_markdown(report, list(trees))
    args.out.with_suffix(".md").write_text(markdown)
    print(markdown)


def targets(report: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The issue's targets for the current tree, each with its figure."""
    ours = "ours"
    start = report["interpreter_start_s"]
    out: dict[str, Any] = {}
    for size in report["plan"]:
        figures = size[ours]
        n = size["managed_objects"]
        out[f"plan_{n}_read_diff_within_2x_bound"] = {
            "value": figures["read_plus_diff_over_bound"], "met": figures["read_plus_diff_over_bound"] <= 2}
        whole = (figures["wall_s"]["median"] - start) / figures["bound_s"]
        out[f"plan_{n}_process_within_1.5x_bound_plus_start"] = {"value": round(whole, 2), "met": whole <= 1.5}
        out[f"plan_{n}_faster_than_sdk"] = {"value": figures["vs_sdk_wall"], "met": figures["vs_sdk_wall"] < 1}
    if len(report["plan"]) >= 2:
        small, large = report["plan"][0], report["plan"][-1]
        factor = large["managed_objects"] / small["managed_objects"]
        for key in ("cpu_s", "peak_rss_mb"):
            ratio = large[ours][key]["median"] / small[ours][key]["median"]
            out[f"plan_{key}_growth_{int(factor)}x_objects"] = {"value": round(ratio, 2), "met": ratio <= 5.5}
    if report.get("apply"):
        for parallelism, figures in report["apply"][ours].items():
            out[f"apply_p{parallelism}_within_1.5x_bound"] = {
                "value": figures["execute_over_bound"], "met": figures["execute_over_bound"] <= 1.5}
    return out


def render_markdown(report: dict[str, Any], names: list[str]) -> str:
    m = report["machine"]
    lines = [
        "# Plan and apply at organization scale",
        "",
        f"`{report['command']}` ({report['bench_seconds']} s). Machine: {m['cpus']} CPUs ({m['cpu']}), "
        f"{m['memory']}, Python {m['python']}, {m['platform']}; load average {m['load_average_1m']['before']} "
        f"before, {m['load_average_1m']['after']} after. Emulator latency {report['latency_ms']:g} ms; client "
        f"{report['client_in_flight']} requests in flight. rossum-iac runs with {report.get('ours_python')}. "
        f"SDK baseline: {report['sdk_baseline']}. Interpreter "
        f"start (`python -c pass`): {report['interpreter_start_s']} s. Medians (min-max) of the measured runs.",
        "",
        "## plan (no changes)",
        "",
        "| objects | code | requests | bound s | read+diff s | x bound | process wall s | CPU s | peak RSS MB "
        "| load s | plan s | emulator CPU s | SDK script wall s | ours / SDK |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def spread(figure: dict[str, Any], digits: int = 2) -> str:
        return f"{figure['median']:.{digits}f} ({figure['min']:.{digits}f}-{figure['max']:.{digits}f})"

    for size in report["plan"]:
        for name in names:
            f = size[name]
            lines.append(
                f"| {size['managed_objects']} | {name} | {f['requests']:g} | {f['bound_s']:.2f} | "
                f"{spread(f['read_plus_diff_s'])} | {f['read_plus_diff_over_bound']} | {spread(f['wall_s'])} | "
                f"{spread(f['cpu_s'])} | {spread(f['peak_rss_mb'], 0)} | {f['phases_wall_s']['load_manifests']:.2f} | "
                f"{f['phases_wall_s']['build_plan']:.2f} | {spread(f['emulator_cpu_s'])} | "
                f"{spread(size['sdk']['wall_s'])} | {f['vs_sdk_wall']} |"
            )
    if report.get("apply"):
        lines += [
            "",
            f"## apply: {report['apply']['objects']} creates into an empty organization",
            "",
            "| code | parallelism | wall s | execute s | bound s | x bound | x bound without lease and duplicate "
            "check | CPU s | emulator CPU s | CPU floor s | requests | per created object | record/lease writes "
            "| lease take+settle s | duplicate check s |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name in names:
            for parallelism, f in report["apply"][name].items():
                lines.append(
                    f"| {name} | {parallelism} | {spread(f['wall_s'])} | {spread(f['execute_s'])} | "
                    f"{f['bound_s']:.2f} | {f['execute_over_bound']} | {f.get('writes_over_bound', '')} | "
                    f"{spread(f['cpu_s']) if 'cpu_s' in f else ''} | {spread(f['emulator_cpu_s'])} | "
                    f"{f.get('cpu_floor_s', '')} | "
                    f"{f['requests']:g} | "
                    f"{f['requests_per_created_object']} | {f['by_purpose'].get('record_or_lease_write', 0)} | "
                    f"{spread(f['lease_acquire_s'])} | {spread(f['duplicate_check_s'])} |"
                )
    lines += ["", "## targets (current tree)", "", "| target | figure | met |", "| --- | --- | --- |"]
    for name, t in report["targets"].items():
        lines.append(f"| {name} | {t['value']} | {'yes' if t['met'] else 'no'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
