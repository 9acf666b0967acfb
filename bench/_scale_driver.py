"""``rossum-iac`` itself, run with timers around its phases; used by ``bench/scale.py`` (one process per run).

    python bench/_scale_driver.py TIMINGS.json plan DIR --env dev --base-url URL --rate-limit 0
    python bench/_scale_driver.py TIMINGS.json apply DIR --env dev --auto-approve --parallelism 8 --base-url URL

Everything after TIMINGS.json is the command line of ``rossum-iac``, run by its real entry point
(``rossum_iac.cli.main.main``) in this process. Functions it calls are wrapped (same behaviour, plus a wall and
CPU clock): loading the manifests, reading the organization (``read_live``), planning (``build_plan``), the whole
event loop of each API step (``run_with_client``, including what ``asyncio.run`` does after the coroutine),
rendering, and for apply ``execute``, the lease (taking it, with its settle, and releasing it) and the duplicate
check after the creates. At exit the timings, the time spent importing before the command started, the garbage
collector's counts and the peak RSS are written to TIMINGS.json. Which code runs is whatever ``rossum_iac`` the
interpreter imports (``bench/scale.py`` sets ``PYTHONPATH`` to the tree under test).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()
STARTED_CPU = time.process_time()

import atexit  # noqa: E402
import functools  # noqa: E402
import gc  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

PHASES: dict[str, dict[str, float]] = {}
MARKS: dict[str, float] = {}


def _add(name: str, wall: float, cpu: float) -> None:
    entry = PHASES.setdefault(name, {"wall_s": 0.0, "cpu_s": 0.0, "calls": 0})
    entry["wall_s"] += wall
    entry["cpu_s"] += cpu
    entry["calls"] += 1


def timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return await func(*args, **kwargs)
            finally:
                _add(name, time.perf_counter() - wall, time.process_time() - cpu)

        return async_wrapper

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            _add(name, time.perf_counter() - wall, time.process_time() - cpu)

    return wrapper


def patch(module_name: str, attribute: str, name: str) -> None:
    """Wrap ``module.attribute`` (a function, or ``Class.method`` when ``attribute`` has a dot) if it exists."""
    try:
        module = __import__(module_name, fromlist=["_"])
    except ImportError:
        return
    owner: Any = module
    *path, last = attribute.split(".")
    for part in path:
        owner = getattr(owner, part, None)
        if owner is None:
            return
    if hasattr(owner, last):
        setattr(owner, last, timed(name, getattr(owner, last)))


def write(path: str) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report = {
        "imports_before_command_s": round(MARKS.get("command", STARTED) - STARTED, 4),
        "total_in_process_s": round(time.perf_counter() - STARTED, 4),
        "cpu_s": round(time.process_time() - STARTED_CPU, 4),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "gc_collections": [s["collections"] for s in gc.get_stats()],
        "phases": {k: {kk: round(v, 4) for kk, v in e.items()} for k, e in PHASES.items()},
    }
    with open(path, "w") as handle:
        json.dump(report, handle)


def main() -> None:
    timings, *args = sys.argv[1:]
    from rossum_iac.cli import main as cli_main

    command = args[0] if args else ""
    if command in ("plan", "apply"):
        __import__(f"rossum_iac.cli.{command}")
        patch(f"rossum_iac.cli.{command}", "load_manifests", "load_manifests")
        patch(f"rossum_iac.cli.{command}", "run_with_client", "event_loop")
        for home in ("rossum_iac.engine.planner", "rossum_iac.engine"):  # make_plan's module (older trees: engine)
            if "make_plan" in vars(__import__(home, fromlist=["_"])):
                patch(home, "read_live", "read_live")
                patch(home, "build_plan", "build_plan")
        patch("rossum_iac.engine", "execute", "execute")
        patch("rossum_iac.engine.render", "render_plan", "render")
        patch("rossum_iac.engine.executor", "find_duplicates", "duplicate_check")
        patch("rossum_iac.engine.lease", "Lease.acquire", "lease_acquire")
        patch("rossum_iac.engine.lease", "Lease.release", "lease_release")
    atexit.register(write, timings)
    MARKS["command"] = time.perf_counter()
    cli_main.main(args, prog_name="rossum-iac")


if __name__ == "__main__":
    main()
