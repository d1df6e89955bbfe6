"""The `accord` command: demo, serve, worker, seed, and `manage` for Django's commands."""

import argparse
import os
import signal
import subprocess
import sys
import time


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()


def _manage(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["accord manage", *argv])


def _gunicorn_command(bind: str, workers: int, threads: int) -> list[str]:
    # Without --access-logfile gunicorn skips access logging altogether (a /dev/null log still formats a line
    # for every request).
    access_log = ["--access-logfile", "-"] if os.environ.get("ACCORD_ACCESS_LOG") else []
    return [
        sys.executable, "-m", "gunicorn", "accord.wsgi:application",
        "--bind", bind, "--workers", str(workers), "--threads", str(threads),
        "--worker-class", "gthread", *access_log, "--graceful-timeout", "5", "--timeout", "60",
    ]


def _run_together(commands: list[list[str]]) -> int:
    """Run processes side by side; Ctrl-C (or one of them dying) stops all of them cleanly."""
    processes = [subprocess.Popen(command) for command in commands]  # noqa: S603
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(p.poll() is None for p in processes):
        time.sleep(0.2)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    return 0 if stopping else 1


def demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("ACCORD_BASE_URL", f"http://127.0.0.1:{args.port}")  # links in mail match the port
    _django_setup()
    from django.conf import settings
    from django.core.management import call_command

    from accord.partners.demo import logins_text

    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo_data")
    url = f"http://127.0.0.1:{args.port}/"
    print(f"\nAccord is running at {url}  (data: {settings.ACCORD_HOME})")
    mail_dir = settings.MAILERS["default"].get("OPTIONS", {}).get("file_path")
    if mail_dir:
        print(f"Outgoing mail is written to {mail_dir} (set EMAIL_URL=smtp://host:port to send it)")
    print(logins_text())
    print("Press Ctrl-C to stop.\n", flush=True)
    env_bind = f"127.0.0.1:{args.port}"
    return _run_together([
        _gunicorn_command(env_bind, workers=2, threads=4),
        [sys.executable, "-m", "accord.cli", "worker"],
    ])


def serve(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    command = _gunicorn_command(args.bind or f"0.0.0.0:{args.port}", args.workers, args.threads)
    os.execv(sys.executable, command)  # noqa: S606
    return 0


def worker(args: argparse.Namespace) -> int:
    _manage(["worker", *args.rest])
    return 0


def seed(args: argparse.Namespace) -> int:
    _manage(["seed", "--partners", str(args.partners), *(["--seed", str(args.seed)] if args.seed else [])])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["manage"]:
        _manage(argv[1:])
        return 0
    if argv[:1] == ["worker"]:  # options such as --batch go to the worker command untouched
        _manage(["worker", *argv[1:]])
        return 0
    parser = argparse.ArgumentParser(prog="accord", description="Accord partner relationship management")
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="migrate, load demo data, run web server and worker")
    demo_parser.add_argument("--port", type=int, default=8000)
    demo_parser.set_defaults(handler=demo)
    serve_parser = commands.add_parser("serve", help="run the web server (gunicorn)")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--bind", default="")
    serve_parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    serve_parser.add_argument("--threads", type=int, default=4)
    serve_parser.set_defaults(handler=serve)
    worker_parser = commands.add_parser("worker", help="run a background task worker")
    worker_parser.add_argument("rest", nargs=argparse.REMAINDER)
    worker_parser.set_defaults(handler=worker)
    seed_parser = commands.add_parser("seed", help="generate realistic data at scale for benchmarks")
    seed_parser.add_argument("--partners", type=int, default=1000)
    seed_parser.add_argument("--seed", type=int, default=0)
    seed_parser.set_defaults(handler=seed)
    commands.add_parser("manage", help="Django management commands, e.g. `accord manage migrate`")
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
