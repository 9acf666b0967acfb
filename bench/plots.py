"""PNG plots of ``bench/results/scale.json`` (written by ``bench/scale.py``).

    pip install -e '.[bench]'   # matplotlib
    python bench/plots.py [--results bench/results]

- ``plan_scale.png``: plan wall time, CPU time and peak memory of the whole process against the number of managed
  objects, next to the network bound and the emulator's own CPU time;
- ``plan_vs_sdk.png``: the ``rossum-iac plan`` process against the SDK script reading the same collections
  (and the code before the changes, when the run measured it);
- ``apply_parallelism.png``: apply wall time against ``--parallelism``, next to requests / parallelism x latency.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _median(figure: dict[str, Any]) -> float:
    return float(figure["median"])


def _errors(figures: list[dict[str, Any]]) -> list[list[float]]:
    """Matplotlib's asymmetric error bars: medians to min and max."""
    return [[f["median"] - f["min"] for f in figures], [f["max"] - f["median"] for f in figures]]


def plan_scale(report: dict[str, Any], plt: Any, out: Path) -> Path:
    sizes = [p["managed_objects"] for p in report["plan"]]
    ours = [p["ours"] for p in report["plan"]]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label in (("wall_s", "process wall"), ("cpu_s", "process CPU"), ("read_plus_diff_s", "read + diff")):
        figures = [o[key] for o in ours]
        left.errorbar(sizes, [_median(f) for f in figures], yerr=_errors(figures), marker="o", capsize=3,
                      label=label)
    left.plot(sizes, [o["bound_s"] for o in ours], "k--", marker="x", label="network bound")
    busy = [o["emulator_cpu_s"] for o in ours]
    left.plot(sizes, [_median(b) for b in busy], ":", color="grey", marker=".", label="emulator CPU")
    left.set_xlabel("managed objects")
    left.set_ylabel("seconds")
    left.set_title(f"plan at {report['latency_ms']:g} ms latency")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    rss = [o["peak_rss_mb"] for o in ours]
    right.errorbar(sizes, [_median(r) for r in rss], yerr=_errors(rss), marker="o", capsize=3, label="rossum-iac")
    sdk = [p["sdk"]["peak_rss_mb"] for p in report["plan"]]
    right.errorbar(sizes, [_median(r) for r in sdk], yerr=_errors(sdk), marker="s", capsize=3, label="SDK script")
    right.set_xlabel("managed objects")
    right.set_ylabel("peak RSS (MB)")
    right.set_title("memory")
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    fig.tight_layout()
    path = out / "plan_scale.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plan_vs_sdk(report: dict[str, Any], plt: Any, out: Path) -> Path:
    sizes = [p["managed_objects"] for p in report["plan"]]
    series: list[tuple[str, list[dict[str, Any]]]] = []
    if report["plan"] and "before" in report["plan"][0]:
        series.append(("rossum-iac plan (before)", [p["before"]["wall_s"] for p in report["plan"]]))
    series.append(("rossum-iac plan", [p["ours"]["wall_s"] for p in report["plan"]]))
    series.append(("SDK script (read only)", [p["sdk"]["wall_s"] for p in report["plan"]]))
    fig, ax = plt.subplots(figsize=(7, 4.2))
    width = 0.8 / len(series)
    for index, (label, figures) in enumerate(series):
        xs = [i + (index - (len(series) - 1) / 2) * width for i in range(len(sizes))]
        ax.bar(xs, [_median(f) for f in figures], width, yerr=_errors(figures), capsize=3, label=label)
    ax.set_xticks(range(len(sizes)), [f"{n:,} objects" for n in sizes])
    ax.set_ylabel("whole process, seconds")
    ax.set_title(f"plan vs the SDK reading the same collections ({report['latency_ms']:g} ms)")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path = out / "plan_vs_sdk.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def apply_parallelism(report: dict[str, Any], plt: Any, out: Path) -> Path | None:
    applies = report.get("apply")
    if not applies:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for name, marker in (("before", "s"), ("ours", "o")):
        if name not in applies:
            continue
        levels = sorted(applies[name], key=int)
        figures = [applies[name][p]["execute_s"] for p in levels]
        label = "apply (before)" if name == "before" else "apply"
        ax.errorbar([int(p) for p in levels], [_median(f) for f in figures], yerr=_errors(figures), marker=marker,
                    capsize=3, label=f"{label}: executing the plan")
    levels = sorted(applies["ours"], key=int)
    ax.plot([int(p) for p in levels], [applies["ours"][p]["bound_s"] for p in levels], "k--", marker="x",
            label="requests / parallelism x latency")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks([int(p) for p in levels], [str(p) for p in levels])
    ax.set_xlabel("--parallelism")
    ax.set_ylabel("seconds")
    ax.set_title(f"apply of {applies['objects']} creates at {report['latency_ms']:g} ms latency")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = out / "apply_parallelism.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install -e '.[bench]'): no plots drawn", file=sys.stderr)
        return 1
    report = json.loads((args.results / "scale.json").read_text())
    for path in (plan_scale(report, plt, args.results), plan_vs_sdk(report, plt, args.results),
                 apply_parallelism(report, plt, args.results)):
        if path is not None:
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
