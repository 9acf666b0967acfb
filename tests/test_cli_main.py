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
