"""Request pacing of the API commands: ``--rate-limit N`` > ``ROSSUM_IAC_RATE_LIMIT`` > default (cli/target.py).

Default: the client's 10 requests/s for an API reached by URL, none for the embedded ``--emulator``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from e2e_helpers import BASE_MANIFESTS, write_manifests

from rossum_iac.cli.main import main
from rossum_iac.cli.target import RATE_LIMIT_ENV, Target, TargetOptions, api_target, run_with_client
from rossum_iac.client import Token
from rossum_iac.errors import UsageError

LOCAL = "http://127.0.0.1:9/api/v1"
TOKEN = {"ROSSUM_API_TOKEN": "t"}


def rate(options: TargetOptions, environ: dict[str, str]) -> float | None:
    with api_target(options, environ=environ) as target:
        return target.requests_per_second


def test_default_is_the_documented_limit_for_an_api_and_none_for_the_embedded_emulator() -> None:
    assert rate(TargetOptions(base_url=LOCAL), TOKEN) == 10.0
    assert rate(TargetOptions(emulator_db=":memory:"), {}) is None


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        (None, "4", 4.0),
        (None, " 2.5 ", 2.5),
        (None, "0", None),
        (None, "", 10.0),  # empty counts as unset
        (3.0, "4", 3.0),  # the flag wins
        (0.0, "4", None),
    ],
)
def test_flag_then_environment_variable(flag: float | None, env: str, expected: float | None) -> None:
    assert rate(TargetOptions(base_url=LOCAL, rate_limit=flag), {**TOKEN, RATE_LIMIT_ENV: env}) == expected


def test_the_environment_variable_applies_to_the_emulator_too() -> None:
    assert rate(TargetOptions(emulator_db=":memory:"), {RATE_LIMIT_ENV: "7"}) == 7.0
    assert rate(TargetOptions(emulator_db=":memory:", rate_limit=5), {}) == 5.0


@pytest.mark.parametrize("value", ["fast", "-1", "nan", "inf"])
def test_a_bad_environment_value_is_a_usage_error_naming_the_variable(value: str) -> None:
    with pytest.raises(UsageError, match=rf"{RATE_LIMIT_ENV} must be a number of requests per second >= 0"):
        rate(TargetOptions(base_url=LOCAL), {**TOKEN, RATE_LIMIT_ENV: value})
    with pytest.raises(UsageError, match=RATE_LIMIT_ENV):  # checked before an emulator starts
        rate(TargetOptions(emulator_db=":memory:"), {RATE_LIMIT_ENV: value})


@pytest.mark.parametrize("value", [None, 2.0])
def test_the_client_gets_the_rate(value: float | None) -> None:
    target = Target(LOCAL, Token("t"), "test", requests_per_second=value)

    async def work(client: Any) -> Any:
        return client._transport.requests_per_second

    assert run_with_client(target, work) == value


@pytest.mark.parametrize("args", [["--rate-limit", "-1"], ["--rate-limit", "many"]])
def test_a_bad_flag_is_rejected(tmp_path: Path, args: list[str]) -> None:
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    result = CliRunner().invoke(main, ["plan", str(root), "--emulator", ":memory:", *args])
    assert result.exit_code == 1
    assert "--rate-limit" in result.output


def test_plan_and_apply_against_a_rate_limited_api_succeed(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory(rate_limit=5)
    root = write_manifests(tmp_path / "m", BASE_MANIFESTS)
    env = {"ROSSUM_API_TOKEN": emu.token, "NO_COLOR": "1", RATE_LIMIT_ENV: "5"}
    base = ["--base-url", emu.base_url]
    applied = CliRunner().invoke(main, ["apply", str(root), "--auto-approve", *base], env=env)
    assert applied.exit_code == 0, applied.output
    planned = CliRunner().invoke(main, ["plan", str(root), "--detailed-exitcode", "--rate-limit", "5", *base], env=env)
    assert planned.exit_code == 0, planned.output  # everything applied: no request failed on the limit
