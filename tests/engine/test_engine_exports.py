"""The engine package's names are imported when first used (``rossum_iac/engine/__init__.py``): its lazy table,
``__all__`` and what each name gives must agree, and importing the package alone loads none of its modules."""

from __future__ import annotations

import importlib
import subprocess
import sys

import rossum_iac.engine as engine


def test_every_exported_name_comes_from_its_module() -> None:
    assert sorted(engine.__all__) == sorted(engine._MODULE_OF)
    for name in engine.__all__:
        module = importlib.import_module(f"rossum_iac.engine.{engine._MODULE_OF[name]}")
        assert getattr(engine, name) is getattr(module, name), name


def test_importing_the_package_loads_no_engine_module() -> None:
    code = (
        "import sys, rossum_iac.engine; "
        "print(sorted(m for m in sys.modules if m.startswith('rossum_iac.engine.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
