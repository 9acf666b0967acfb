from click.testing import CliRunner

from rossum_iac import __version__
from rossum_iac.cli.main import main


def test_version_option_prints_package_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_debug_option():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "--debug" in result.output


def test_usage_errors_exit_1_never_2():
    """2 means "changes present" for plan --detailed-exitcode and drift: a typo must not look like drift."""
    runner = CliRunner()
    for args in (["plan", "--bogus"], ["drift", "--env"], ["--bogus"], ["nosuch"], ["annotations", "frobnicate"], []):
        result = runner.invoke(main, args)
        assert result.exit_code == 1, (args, result.output)


def test_every_registered_command_loads_lazily():
    from rossum_iac.cli.main import COMMANDS

    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage:" in result.output
