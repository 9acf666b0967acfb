"""How the CLI drives the client: ``apply --parallelism N`` gets N requests in flight, and results come back from
the event loop without being formatted (``asyncio.run`` formats the repr of a coroutine's result)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rossum_iac.cli import apply as apply_module
from rossum_iac.cli.main import main
from rossum_iac.cli.target import DEFAULT_MAX_IN_FLIGHT, Target, TargetOptions, run_with_client
from rossum_iac.client import Token
from rossum_iac.client._async.transport import DEFAULT_MAX_IN_FLIGHT_REQUESTS


def test_default_in_flight_is_the_clients() -> None:
    assert DEFAULT_MAX_IN_FLIGHT == DEFAULT_MAX_IN_FLIGHT_REQUESTS
    assert TargetOptions().max_in_flight == DEFAULT_MAX_IN_FLIGHT


@pytest.mark.parametrize(("parallelism", "in_flight"), [(1, 16), (4, 16), (16, 16), (32, 32), (64, 64)])
def test_apply_parallelism_raises_the_in_flight_bound(
    parallelism: int, in_flight: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[TargetOptions] = []

    def fake_apply_directory(*args: Any) -> None:
        seen.extend(a for a in args if isinstance(a, TargetOptions))

    monkeypatch.setattr(apply_module, "_apply_directory", fake_apply_directory)
    result = CliRunner().invoke(main, ["apply", str(tmp_path), "--parallelism", str(parallelism), "--auto-approve"])
    assert result.exit_code == 0, result.output
    assert [o.max_in_flight for o in seen] == [in_flight]


class Loud:
    """A result whose repr must never be computed."""

    reprs = 0

    def __repr__(self) -> str:
        Loud.reprs += 1
        return "Loud()"


def test_run_with_client_returns_the_result_without_formatting_it() -> None:
    target = Target("http://127.0.0.1:9/api/v1", Token("t" * 40), "test", max_in_flight=7)
    seen: list[Any] = []

    async def work(client: Any) -> Loud:
        seen.append(client._transport._max_in_flight)
        return Loud()

    result = run_with_client(target, work)
    assert isinstance(result, Loud)
    assert Loud.reprs == 0
    assert seen == [7]


def test_loading_freezes_the_stack_out_of_the_collectors_reach(tmp_path: Path) -> None:
    import gc

    from rossum_iac.cli.common import load_manifests
    from rossum_iac.manifest import ManifestErrors

    examples = Path(__file__).resolve().parent.parent / "examples" / "manifests"
    gc.unfreeze()
    monkey = pytest.MonkeyPatch()
    monkey.setenv("AP_WEBHOOK_SECRET", "s")
    try:
        stack = load_manifests(examples, None)
        assert stack.objects
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        (tmp_path / "rossum.yaml").write_text("stack: broken\n")
        (tmp_path / "bad.yaml").write_text("kind: Queue\nkey: [\n")
        with pytest.raises(ManifestErrors):
            load_manifests(tmp_path, None)
        assert gc.isenabled()  # also after an error
    finally:
        monkey.undo()
        gc.unfreeze()
