import subprocess
import sys

from accord.cli import _gunicorn_command, main


def test_manage_passes_through_to_django(capsys):
    assert main(["manage", "help", "--commands"]) == 0
    assert "migrate" in capsys.readouterr().out


def test_unknown_command_is_refused_with_usage():
    result = subprocess.run([sys.executable, "-m", "accord.cli", "fly"], capture_output=True, text=True,
                            check=False)

    assert result.returncode == 2
    assert "invalid choice: 'fly'" in result.stderr


def test_the_web_server_writes_an_access_log_only_when_asked(monkeypatch):
    monkeypatch.delenv("ACCORD_ACCESS_LOG", raising=False)
    assert "--access-logfile" not in _gunicorn_command("127.0.0.1:8000", workers=2, threads=4)

    monkeypatch.setenv("ACCORD_ACCESS_LOG", "1")
    command = _gunicorn_command("127.0.0.1:8000", workers=2, threads=4)
    assert command[command.index("--access-logfile") + 1] == "-"
