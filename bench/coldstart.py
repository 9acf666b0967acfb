"""Cold start of the commands that never talk to an API: ``--help``, ``validate``, ``schema``.

    python bench/coldstart.py [--runs 7] [--baseline-commit SHA | --baseline-tree DIR]
                              [--out bench/results/coldstart.json]

Each command runs in a fresh interpreter (bytecode cached outside the tree, as an installed package has it; one
warm-up run first): wall time (median, min, max), and whether httpx or the API client was imported (a probe prints
``sys.modules`` at exit). ``python -c pass`` is the interpreter start. With a baseline, the code of that commit is
measured alternately with the current tree.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _trees import baseline_tree  # bench/ is first on sys.path when this runs as a script

ROOT = Path(__file__).resolve().parent.parent
PYCACHE = Path(tempfile.gettempdir()) / "rossum-iac-bench-pycache"
PROBE = (
    "import atexit, json, sys\n"
    "atexit.register(lambda: sys.stderr.write('\\nPROBE ' + json.dumps([m for m in ('httpx', 'rossum_iac.client') "
    "if m in sys.modules]) + '\\n'))\n"
    "from rossum_iac.cli.main import main\n"
    "main(sys.argv[1:], prog_name='rossum-iac')\n"
)
COMMANDS = {
    "--help": ["--help"],
    "validate examples": ["validate", str(ROOT / "examples" / "manifests")],
    "schema": ["schema"],
}


def env(tree: Path | None) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out.update({"PYTHONPYCACHEPREFIX": str(PYCACHE), "AP_WEBHOOK_SECRET": "bench-secret", "NO_COLOR": "1"})
    if tree is not None:
        out["PYTHONPATH"] = str(tree)
    return out


def run(cmd: list[str], environ: dict[str, str]) -> tuple[float, float, list[str]]:
    """Run from a neutral directory: ``python -c`` puts the working directory first on ``sys.path``, and the
    project root would then shadow the tree under test."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=environ, cwd=tempfile.gettempdir())
        _, _, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    loaded: list[str] = []
    for line in stderr.splitlines():
        if line.startswith("PROBE "):
            loaded = json.loads(line[6:])
    return wall, usage.ru_utime + usage.ru_stime, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline-commit", default=None)
    parser.add_argument("--baseline-tree", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "coldstart.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        trees: dict[str, Path] = {}
        if args.baseline_commit:
            trees["before"] = baseline_tree(args.baseline_commit, Path(tmp_name))
        elif args.baseline_tree:
            trees["before"] = args.baseline_tree.resolve()
        trees["ours"] = ROOT
        walls: dict[str, dict[str, list[float]]] = {name: {c: [] for c in COMMANDS} for name in trees}
        cpus: dict[str, dict[str, list[float]]] = {name: {c: [] for c in COMMANDS} for name in trees}
        loaded: dict[str, dict[str, list[str]]] = {name: {} for name in trees}
        start_runs = []
        for number in range(1 + args.runs):
            start_runs.append(run([sys.executable, "-c", "pass"], env(None))[0])
            for name, tree in trees.items():
                for label, argv in COMMANDS.items():
                    wall, cpu, modules = run([sys.executable, "-c", PROBE, *argv], env(tree))
                    if number:
                        walls[name][label].append(wall)
                        cpus[name][label].append(cpu)
                        loaded[name][label] = modules
    report: dict[str, Any] = {
        "benchmark": "coldstart",
        "command": "python bench/coldstart.py " + " ".join(sys.argv[1:]),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "load_average_1m": round(os.getloadavg()[0], 2)},
        "interpreter_start_s": round(statistics.median(start_runs[1:]), 3),
        "commands": {
            name: {
                label: {
                    "wall_s": {"median": round(statistics.median(v), 3), "min": round(min(v), 3),
                               "max": round(max(v), 3)},
                    "cpu_s": {"median": round(statistics.median(cpus[name][label]), 3),
                              "min": round(min(cpus[name][label]), 3), "max": round(max(cpus[name][label]), 3)},
                    "imports_client": loaded[name][label],
                }
                for label, v in per.items()
            }
            for name, per in walls.items()
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    lines = ["| command | code | wall s (median, min-max) | CPU s (median, min-max) | imports httpx / client |",
             "| --- | --- | --- | --- | --- |"]
    for label in COMMANDS:
        for name in trees:
            f = report["commands"][name][label]
            w, c = f["wall_s"], f["cpu_s"]
            lines.append(f"| `rossum-iac {label}` | {name} | {w['median']:.3f} ({w['min']:.3f}-{w['max']:.3f}) | "
                         f"{c['median']:.3f} ({c['min']:.3f}-{c['max']:.3f}) | "
                         f"{', '.join(f['imports_client']) or 'no'} |")
    text = f"Interpreter start (`python -c pass`): {report['interpreter_start_s']} s\n\n" + "\n".join(lines) + "\n"
    args.out.with_suffix(".md").write_text("# Cold start\n\n" + text)
    print(text)


if __name__ == "__main__":
    main()
