import subprocess
import sys

from accord.cli import main


def test_manage_passes_through_to_django(capsys):
    assert main(["manage", "help", "--commands"]) == 0
    assert "migrate" in capsys.readouterr().out


def test_unknown_command_is_refused_with_usage():
    result = subprocess.run([sys.executable, "-m", "accord.cli", "fly"], capture_output=True, text=True,
                            check=False)

    assert result.returncode == 2
    assert "invalid choice: 'fly'" in result.stderr
