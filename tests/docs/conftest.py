"""Docs and help tests: the e2e helpers (manifests in tmp_path, CLI against the emulator) are shared."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
