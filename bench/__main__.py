"""Every benchmark, one after the other, then the plots: ``python -m bench`` from the project root.

    pip install -e '.[test,bench]' && python -m bench [--only scale,manifests] [--skip export] [--sdk-python PY]

Each benchmark runs as its own script (``python bench/NAME.py``, as documented in its docstring) in a fresh
interpreter and writes its JSON (and Markdown, where it has one) to ``bench/results/``. ``bench/scale.py`` compares
``rossum-iac plan`` with a script using the public SDK: it uses ``--sdk-python`` (default ``/tmp/sdkvenv/bin/python``),
and when that interpreter is missing this command creates it (``python -m venv /tmp/sdkvenv`` and ``pip install
rossum-api``); without network access the comparison falls back to an httpx script behaving like the SDK, and says
so. ``rossum-iac`` itself runs there in a virtual environment with only its declared dependencies, as a user has it
(``--ours-python``, default ``/tmp/rossum-iac-venv/bin/python``, created the same way from ``pyproject.toml``).
At the end ``bench/results/summary.md`` lists what ran, how long it took and where its figures are, and
``bench/plots.py`` draws ``bench/results/*.png`` (needs matplotlib: the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

BENCHMARKS: list[tuple[str, list[str], str]] = [
    ("coldstart", [], "coldstart.json"),
    ("manifests", [], "manifests.json"),
    ("emulator", [], "emulator.json"),
    ("export", [], "export.json"),
    ("documents", [], "documents.json"),
    ("plan", ["--runs", "3"], "plan.json"),
    ("pull", [], "pull.json"),
    ("adopt", [], "adopt.json"),
    ("ratelimit", ["--rounds", "2", "--runs", "3"], "ratelimit.json"),
    ("scale", [], "scale.json"),
]
"""Name (bench/NAME.py), arguments, the result file it writes."""


def ensure_sdk(python: str) -> None:
    """The throwaway virtual environment with the public SDK, if it is not there yet (best effort)."""
    if Path(python).exists():
        return
    venv = Path(python).parent.parent
    print(f"creating {venv} with rossum-api (the public SDK, for the comparison)", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run([python, "-m", "pip", "install", "-q", "rossum-api"], check=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"could not install rossum-api ({exc}); the SDK-like httpx script is the baseline", flush=True)


def ensure_ours(python: str) -> None:
    """The virtual environment with rossum-iac's declared dependencies (not the package: the tree under test is put
    on ``PYTHONPATH``), if it is not there yet (best effort)."""
    if Path(python).exists():
        return
    import tomllib

    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    venv = Path(python).parent.parent
    print(f"creating {venv} with rossum-iac's dependencies", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run([python, "-m", "pip", "install", "-q", *dependencies], check=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"could not create it ({exc}); rossum-iac runs with this interpreter", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--skip", default="", help="comma-separated benchmark names")
    parser.add_argument("--sdk-python", default="/tmp/sdkvenv/bin/python")
    parser.add_argument("--ours-python", default="/tmp/rossum-iac-venv/bin/python")
    args = parser.parse_args()
    only = {n for n in args.only.split(",") if n}
    skip = {n for n in args.skip.split(",") if n}
    chosen = [b for b in BENCHMARKS if (not only or b[0] in only) and b[0] not in skip]
    if any(name == "scale" for name, _, _ in chosen):
        ensure_sdk(args.sdk_python)
        ensure_ours(args.ours_python)
    started = time.perf_counter()
    ran: list[dict[str, object]] = []
    for name, extra, result in chosen:
        cmd = [sys.executable, str(ROOT / "bench" / f"{name}.py"), *extra]
        if name == "scale":
            cmd += ["--sdk-python", args.sdk_python, "--ours-python", args.ours_python]
        print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
        begun = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT)
        seconds = round(time.perf_counter() - begun, 1)
        ran.append({"benchmark": name, "command": " ".join(["python", *cmd[1:]]).replace(str(ROOT) + "/", ""),
                    "seconds": seconds, "ok": done.returncode == 0, "result": f"bench/results/{result}"})
        print(f"== {name}: {'ok' if done.returncode == 0 else 'FAILED'} in {seconds} s", flush=True)
    plots = subprocess.run([sys.executable, str(ROOT / "bench" / "plots.py")], cwd=ROOT).returncode == 0
    total = round(time.perf_counter() - started, 1)
    summary = {
        "command": "python -m bench " + " ".join(sys.argv[1:]),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "load_average_1m_at_end": round(os.getloadavg()[0], 2)},
        "seconds": total,
        "benchmarks": ran,
        "plots": plots,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    lines = [
        "# Benchmarks", "",
        f"`{summary['command']}`: {total} s on {summary['machine']['cpus']} CPUs, Python "
        f"{summary['machine']['python']} ({summary['machine']['platform']}).", "",
        "| benchmark | seconds | ok | figures |", "| --- | --- | --- | --- |",
    ]
    for entry in ran:
        lines.append(f"| `{entry['command']}` | {entry['seconds']} | {'yes' if entry['ok'] else 'no'} | "
                     f"{entry['result']} |")
    lines += ["", "Plots: " + ("plan_scale.png, plan_vs_sdk.png, apply_parallelism.png" if plots else "not drawn"), ""]
    (RESULTS / "summary.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0 if all(entry["ok"] for entry in ran) else 1


if __name__ == "__main__":
    sys.exit(main())
