"""Web benchmark: concurrent signed-in users browsing Accord, against a trivial view on the same server.

    uv run python bench/web.py                        # temporary SQLite, seeded with 5,000 partners
    DATABASE_URL=postgres://... uv run python bench/web.py   # seeds the database up to --partners first

Starts `accord serve` (gunicorn) on a free port, signs in --users simulated people (half partner admins,
half channel account managers) and measures four phases with the same users on the same server:

  unloaded  one user requests every page in turn: what each page itself costs, without queueing
  trivial   every user requests /healthz (no session, no database) back to back: the server's ceiling
  capacity  every user cycles through its pages back to back: page throughput, compared with the ceiling
            (trivial and capacity alternate in rounds of --duration / 6, so both see the same machine)
  browse    every user cycles through its pages like a person, waiting --think seconds (0.5x-1.5x) between
            clicks: the latency people see (pages: portal dashboard, console partner list with a filter,
            API partner and contact lists)

Prints requests/s and p50/p95/p99 latency per page, the data size and the machine's load, the CPU time
per request of the server, of this load generator and of a local PostgreSQL (they share the machine), and
a last line of JSON. Goals: p95 under 150 ms for every page while browsing, and page throughput (capacity)
at least 30% of the trivial view's. Back-to-back users measure throughput, not latency: with N of them,
latency is N / throughput whatever the page costs (Little's law).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GOAL_P95_MS = 150
GOAL_RATIO = 0.30
SEED_PASSWORD = "accord-seed"  # noqa: S105 -- the password `accord seed` gives everyone it creates

PARTNER_PAGES = {
    "portal dashboard": "/portal/",
    "api partners (own)": "/api/v1/partners",
    "api contacts (own)": "/api/v1/contacts",
}
VENDOR_PAGES = {
    "console partner list ?country=PL&status=active": "/console/partners/?country=PL&status=active",
    "api partners ?country=DE&limit=50": "/api/v1/partners?country=DE&limit=50",
    "api contacts ?limit=50": "/api/v1/contacts?limit=50",
}
TRIVIAL = "trivial view /healthz"
ROUNDS = 6  # the trivial and capacity phases alternate in this many rounds each


@dataclass
class Samples:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, seconds: float, status: int) -> None:
        self.latencies.append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status != 200:
            self.errors += 1

    def figures(self, duration: float) -> dict:
        ordered = sorted(self.latencies)

        def percentile(p: float) -> float:
            if not ordered:
                return float("nan")
            return 1000 * ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

        return {"requests": len(ordered), "rps": round(len(ordered) / duration, 1) if duration else 0,
                "p50_ms": round(percentile(50), 1), "p95_ms": round(percentile(95), 1),
                "p99_ms": round(percentile(99), 1),
                "mean_ms": round(1000 * statistics.fmean(ordered), 1) if ordered else float("nan"),
                "errors": self.errors}


def free_port() -> int:
    for port in range(8300, 8400):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8300-8399")


def accord(env: dict, *args: str, quiet: bool = False) -> None:
    subprocess.run([sys.executable, "-m", "accord.cli", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL if quiet else None)


def prepare_database(env: dict, partners: int) -> tuple[str, dict]:
    """Migrate, seed up to `partners`, and return the database vendor and the data size."""
    accord(env, "manage", "migrate", "-v0")
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.db import connection

    from accord.partners.models import Partner, User

    missing = partners - Partner.objects.count()
    if missing > 0:
        started = time.perf_counter()
        accord(env, "seed", "--partners", str(missing), "--seed", "42")
        print(f"seeded {missing} partners in {time.perf_counter() - started:.1f} s", flush=True)
    size = {"partners": Partner.objects.count(), "users": User.objects.count()}
    return connection.vendor, size


def logins(users: int) -> list[tuple[str, str]]:
    """(kind, email) for half partner admins of active partners and half seeded channel account managers."""
    from accord.partners.models import Partner, User
    from accord.partners.roles import Role

    rng = random.Random(7)
    admins = list(User.objects.filter(groups__name=Role.PARTNER_ADMIN.value, is_active=True,
                                      partner__status=Partner.Status.ACTIVE, email__contains="@")
                  .exclude(password__startswith="!")  # noqa: S106 -- "!" marks unusable passwords
                  .order_by("pk").values_list("email", flat=True)[:5000])
    managers = list(User.objects.filter(groups__name=Role.CHANNEL_MANAGER.value, is_active=True,
                                        partner__isnull=True, email__startswith="cam.")
                    .order_by("pk").values_list("email", flat=True))
    if not admins or not managers:
        raise SystemExit("the database has no seeded partner admins or channel managers; run `accord seed`")
    chosen = []
    for number in range(users):
        chosen.append(("partner", rng.choice(admins)) if number % 2 == 0 else ("vendor", managers[number % len(
            managers)]))
    return chosen


def _process_cpu(pid: int | str) -> float:
    """CPU seconds (user + system) a process used so far, from Linux /proc; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(server: subprocess.Popen) -> tuple[float, float, dict[str, float]]:
    """CPU seconds used so far by the server's processes, by this load generator, and by each process of a
    PostgreSQL on this machine (they are called "postgres"; none with SQLite, which runs inside the server).

    Per request, they show what a page costs the server apart from queueing, and how much of the machine
    the load generator and the database take (they share the CPUs with the server).
    """
    try:
        workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return float("nan"), time.process_time(), {}
    database = {entry.name: _process_cpu(entry.name) for entry in Path("/proc").iterdir()
                if entry.name.isdigit() and _command(entry) == "postgres"}
    return sum(_process_cpu(pid) for pid in [server.pid, *workers]), time.process_time(), database


def _command(process: Path) -> str:
    try:
        return (process / "comm").read_text().strip()
    except OSError:
        return ""


def start_server(env: dict, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads)], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
        if server.poll() is not None:
            break
    server.terminate()
    raise SystemExit(f"the server did not start; see {log}")


async def sign_in(base: str, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False)
    page = await client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    response = await client.post("/accounts/login/", data={
        "username": email, "password": SEED_PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""})
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: HTTP {response.status_code}")
    return client


async def fetch(client: httpx.AsyncClient, url: str) -> int:
    """The status code; a keep-alive connection the server closed while idle is retried once, then 0."""
    for attempt in range(2):
        try:
            return (await client.get(url)).status_code
        except httpx.TransportError:
            if attempt:
                return 0
    return 0


async def browse(client: httpx.AsyncClient, pages: dict[str, str], until: float, think: float,
                 samples: dict[str, Samples], offset: int) -> None:
    names = list(pages)
    step = offset
    if think:  # people do not all click at the same instant
        await asyncio.sleep(random.uniform(0, think))
    while time.monotonic() < until:
        name = names[step % len(names)]
        step += 1
        started = time.perf_counter()
        status = await fetch(client, pages[name])
        samples.setdefault(name, Samples()).add(time.perf_counter() - started, status)
        if think:
            await asyncio.sleep(think * random.uniform(0.5, 1.5))


async def run(base: str, people: list[tuple[str, str]], duration: float, think: float,
              cpu: Callable[[], tuple[float, float, dict[str, float]]]) -> dict:
    semaphore = asyncio.Semaphore(4)  # Argon2 is deliberately slow and memory hungry: sign in a few at a time

    async def signed_in(email: str) -> httpx.AsyncClient:
        async with semaphore:
            return await sign_in(base, email)

    clients = await asyncio.gather(*(signed_in(email) for _kind, email in people))
    kinds = [kind for kind, _email in people]
    results = {}

    # unloaded: one user, every page in turn, to see what each page itself costs
    unloaded: dict[str, Samples] = {}
    for client, kind in ((clients[kinds.index("partner")], "partner"), (clients[kinds.index("vendor")], "vendor")):
        pages = PARTNER_PAGES if kind == "partner" else VENDOR_PAGES
        for _round in range(20):
            for name, url in pages.items():
                started = time.perf_counter()
                status = await fetch(client, url)
                unloaded.setdefault(name, Samples()).add(time.perf_counter() - started, status)
    results["unloaded"] = unloaded

    # trivial: the same number of users on a view that touches nothing (no session, like a load balancer's
    # probe). It alternates with capacity in short rounds, so both see the same machine: a shared virtual
    # machine's speed drifts (up to 2x within minutes here), which would favour whichever ran in a fast stretch.
    probes = [httpx.AsyncClient(base_url=base, timeout=30) for _client in clients]
    trivial, capacity = Phase(), Phase()
    for _round in range(ROUNDS):
        await trivial.run(duration / ROUNDS, cpu, lambda until: (
            browse(probe, {TRIVIAL: "/healthz"}, until, 0, trivial.samples, 0) for probe in probes))
        await capacity.run(duration / ROUNDS, cpu, lambda until: (
            browse(client, PARTNER_PAGES if kind == "partner" else VENDOR_PAGES, until, 0, capacity.samples, offset)
            for offset, (client, kind) in enumerate(zip(clients, kinds, strict=True))))
    await asyncio.gather(*(probe.aclose() for probe in probes))
    browsing = Phase()
    await browsing.run(duration, cpu, lambda until: (
        browse(client, PARTNER_PAGES if kind == "partner" else VENDOR_PAGES, until, think, browsing.samples, offset)
        for offset, (client, kind) in enumerate(zip(clients, kinds, strict=True))))
    await asyncio.gather(*(client.aclose() for client in clients))
    results.update(trivial=trivial, capacity=capacity, browse=browsing)
    return results


@dataclass
class Phase:
    """What a loaded phase measured: samples per page, seconds it ran and CPU seconds used (server, load
    generator, database), summed over its rounds."""

    samples: dict[str, Samples] = field(default_factory=dict)
    seconds: float = 0.0
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)

    async def run(self, seconds: float, cpu: Callable[[], tuple[float, float, dict[str, float]]],
                  users: Callable[[float], Iterable[Awaitable]]) -> None:
        started, before = time.monotonic(), cpu()
        await asyncio.gather(*users(started + seconds))
        after = cpu()
        self.seconds += time.monotonic() - started
        # database processes come and go (connections close): count what each one present at the end used
        database = sum(used - before[2].get(pid, 0.0) for pid, used in after[2].items())
        server, load_generator, previous = after[0] - before[0], after[1] - before[1], self.cpu
        self.cpu = (previous[0] + server, previous[1] + load_generator, previous[2] + database)

    def figures(self) -> dict[str, dict]:
        return {name: samples.figures(self.seconds) for name, samples in self.samples.items()}


def cpu_per_request(phase: Phase) -> dict:
    """Milliseconds of CPU per request of the server, the load generator and the database, over a phase."""
    requests = sum(len(s.latencies) for s in phase.samples.values()) or 1
    server, load_generator, database = (round(1000 * used / requests, 2) for used in phase.cpu)
    return {"server_ms": server, "load_generator_ms": load_generator, "database_ms": database}


def table(title: str, rows: dict[str, dict]) -> None:
    print(f"\n{title}")
    print(f"  {'page':<48} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for name, f in rows.items():
        print(f"  {name:<48} {f['requests']:>8} {f['rps']:>8} {f['p50_ms']:>8} {f['p95_ms']:>8} {f['p99_ms']:>8} "
              f"{f['errors']:>6}")


def measure(args: argparse.Namespace, home: Path, load_before: float) -> None:
    """Prepare the data, run the phases against a fresh server and print the figures."""
    env = {**os.environ, "ACCORD_HOME": str(home), "ACCORD_LOG_LEVEL": "ERROR"}
    vendor, size = prepare_database(env, args.partners)
    people = logins(args.users)
    port = free_port()
    server = start_server(env, port, args.workers, args.threads, home / "server.log")
    try:
        results = asyncio.run(run(f"http://127.0.0.1:{port}", people, args.duration, args.think,
                                  lambda: cpu_seconds(server)))
    finally:
        server.terminate()
        server.wait(timeout=15)
    unloaded = {name: samples.figures(0) for name, samples in results["unloaded"].items()}
    trivial = results["trivial"].figures()[TRIVIAL]
    capacity = results["capacity"].figures()
    browsing = results["browse"].figures()
    capacity_rps = round(sum(f["rps"] for f in capacity.values()), 1)
    ratio = round(capacity_rps / trivial["rps"], 2) if trivial["rps"] else 0
    cpu = {"trivial": cpu_per_request(results["trivial"]), "pages": cpu_per_request(results["capacity"])}

    print(f"\ndatabase: {vendor}; data: {size['partners']} partners, {size['users']} users; "
          f"{args.users} users ({sum(k == 'partner' for k, _ in people)} partner admins, "
          f"{sum(k == 'vendor' for k, _ in people)} channel managers); gunicorn {args.workers} workers x "
          f"{args.threads} threads; {args.duration:.0f} s per loaded phase; {os.cpu_count()} CPUs; "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (other processes on the "
          f"machine skew every figure)")
    table("unloaded: one user, one request at a time (service time)", unloaded)
    table(f"trivial (baseline): {args.users} users back to back on a view without session or database",
          {TRIVIAL: trivial})
    table(f"capacity: {args.users} users back to back on the pages", capacity)
    table(f"browse: {args.users} users clicking every {args.think} s (0.5x-1.5x) on the pages", browsing)
    print(f"\nCPU per request (server / load generator / PostgreSQL on this machine): trivial "
          f"{cpu['trivial']['server_ms']} / {cpu['trivial']['load_generator_ms']} / {cpu['trivial']['database_ms']} "
          f"ms, pages {cpu['pages']['server_ms']} / {cpu['pages']['load_generator_ms']} / "
          f"{cpu['pages']['database_ms']} ms")
    slow = [name for name, f in browsing.items() if f["p95_ms"] >= GOAL_P95_MS]
    failing = sorted({name for phase in (unloaded, capacity, browsing) for name, f in phase.items() if f["errors"]})
    print(f"\npage capacity {capacity_rps} req/s = {ratio:.0%} of the trivial view's {trivial['rps']} req/s "
          f"(goal ≥ {GOAL_RATIO:.0%}: {'met' if ratio >= GOAL_RATIO else 'missed'}); browsing p95 < "
          f"{GOAL_P95_MS} ms: {'met' if not slow else 'missed by ' + ', '.join(slow)}"
          + (f"; pages with errors: {', '.join(failing)}" if failing else ""))
    print(json.dumps({
        "bench": "web", "database": vendor, **size, "users": args.users, "duration_s": args.duration,
        "think_s": args.think, "workers": args.workers, "threads": args.threads, "cpus": os.cpu_count(),
        "load_before": round(load_before, 1), "load_after": round(os.getloadavg()[0], 1),
        "unloaded": unloaded, "trivial": trivial, "capacity": capacity, "browse": browsing,
        "capacity_rps": capacity_rps, "ratio": ratio, "cpu_per_request": cpu,
        "goal_p95_met": not slow, "goal_ratio_met": ratio >= GOAL_RATIO, "errors": failing,
    }, ensure_ascii=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated users (default 50)")
    parser.add_argument("--duration", type=float, default=30, help="seconds per loaded phase (default 30)")
    parser.add_argument("--partners", type=int, default=5000, help="seed the database up to this many partners")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds a browsing user waits between clicks (default 1)")
    args = parser.parse_args()
    if args.users < 2:
        parser.error("--users: at least 2 (one partner admin and one channel manager)")

    load_before = os.getloadavg()[0]
    home = Path(tempfile.mkdtemp(prefix="accord-bench-"))
    try:
        measure(args, home, load_before)
    except BaseException:
        print(f"kept {home} (data, server.log) for inspection", file=sys.stderr)
        raise
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
