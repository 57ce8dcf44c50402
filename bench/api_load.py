"""API load: dispute read, list and create at 100 concurrent clients, gunicorn + PostgreSQL.

Run: .venv/bin/python bench/api_load.py [--disputes 3000] [--duration 15] [--clients 100]

The script recreates its own database (``tianping_bench_api`` on the server of
``DATABASE_URL``, or ``--database-url``), migrates it and seeds it through the services: one
platform, an API key per client, parties, orders and a few thousand disputes (a quarter with
a merchant offer). It starts gunicorn as the Procfile does (sync workers, 2 × CPUs + 1, a
connection per request; ``--worker-class gthread`` for keep-alive threads) on a free loopback
port with a private ``TIANPING_VAR_DIR``, and drives it with a stdlib asyncio HTTP/1.1 client
that keeps one connection per client while the server allows it (reconnecting, inside the
measured time, when it closes). Each scenario runs three ways:

* ``1 client``   — one client, one request at a time: the stack's floor on this machine;
* ``saturated``  — 100 clients, each sends its next request as soon as the previous returns:
  the throughput; latency is then clients ÷ throughput (Little's law), whatever the code;
* ``paced``      — 100 clients at fixed total rates (``--load`` × the saturated throughput,
  default 25, 50 and 75 %), each on its own schedule; latency counts from the scheduled send
  time, so a stalled server is not hidden (no coordinated omission). Targets are judged here.

Any non-2xx answer or connection error is an error. The load generator shares the server's
CPUs; the output says so, gives the CPU each request cost (gunicorn, its PostgreSQL backends,
the client), the share of the machine other jobs used meanwhile, and ratios to the 1-client
floor, so runs on different machines compare.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "tianping_bench_api"
TARGETS_MS = {"read": 50.0, "list": None, "create": 150.0}  # p99, DESIGN.md §Performance
API = "/api/v1"


# --- database and seed ---------------------------------------------------------------------
def bench_database_url(explicit: str | None, name: str = DB_NAME) -> str:
    if explicit:
        return explicit
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def order_payload(external_id: str, buyer: int, merchant: int) -> dict:
    return {
        "external_id": external_id,
        "buyer": {
            "external_id": f"B{buyer:05d}",
            "name": f"买家 {buyer}",
            "phone": f"138{buyer:08d}",
            "address": f"上海市浦东新区世纪大道{buyer % 900 + 1}号",
            "city": "上海",
        },
        "merchant": {"external_id": f"M{merchant:04d}", "name": f"Shop {merchant}"},
        "title": "Ceramic mug, set of 2",
        "amount_fen": 4_990 + (buyer % 50) * 100,
        "items": [{"sku": "MUG-2", "title": "Ceramic mug", "quantity": 2, "unit_price_fen": 2495}],
    }


def seed(args) -> dict:
    """Everything the load needs, made through the services the API itself calls."""
    from django.db import transaction

    from accounts.models import Platform
    from accounts.services import api_key_create
    from arbitration.errors import DomainError
    from arbitration.models import DisputeEvent
    from arbitration.services import dispute_open, offer_make, order_upsert

    rng = random.Random(20261123)
    platform = Platform.objects.create(name="Bench Mall", slug="bench-mall")
    keys = [api_key_create(platform=platform, name=f"client {i}")[1] for i in range(args.clients)]
    buyers, merchants = max(args.disputes // 10, 1), max(args.disputes // 60, 1)
    dispute_ids = []
    started = time.perf_counter()
    for batch in range(0, args.disputes, 500):
        with transaction.atomic():
            for n in range(batch, min(batch + 500, args.disputes)):
                data = order_payload(f"SEED-{n:06d}", n % buyers, rng.randrange(merchants))
                order, _created = order_upsert(platform=platform, **data)
                dispute = dispute_open(
                    order=order,
                    buyer=order.buyer,
                    reason=rng.choice(["not_received", "other"]),
                    remedy="refund_only",
                    description="包裹显示已签收，但我没有收到。",
                    actor=DisputeEvent.Actor.PLATFORM,
                )
                if n % 4 == 0:
                    with contextlib.suppress(DomainError):  # e.g. a trusted buyer's fast refund
                        offer_make(dispute=dispute, party=order.merchant, percent=50)
                dispute_ids.append(dispute.pk)
    seeded_s = time.perf_counter() - started
    # One fresh order per create request (an order takes one open dispute), made up front.
    fresh = []
    for batch in range(0, args.creates, 500):
        with transaction.atomic():
            for n in range(batch, min(batch + 500, args.creates)):
                data = order_payload(
                    f"NEW-{n:06d}", rng.randrange(buyers), rng.randrange(merchants)
                )
                order_upsert(platform=platform, **data)
                fresh.append(data["external_id"])
    return {
        "keys": keys,
        "dispute_ids": dispute_ids,
        "fresh_orders": fresh,
        "seed_s": seeded_s,
        "orders_s": time.perf_counter() - started - seeded_s,
    }


def queries_per_request(key: str, dispute_id: int, order: str) -> dict[str, int]:
    """SQL statements each endpoint runs, counted in-process (an N+1 shows up here)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    counts = {}
    calls = {
        "read": lambda: client.get(f"{API}/disputes/{dispute_id}"),
        "list": lambda: client.get(f"{API}/disputes"),
        "create": lambda: client.post(
            f"{API}/disputes",
            create_body(order),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        ),
    }
    for name, call in calls.items():
        if name != "create":
            call()  # warm per-process caches first; a create can't be repeated
        with CaptureQueriesContext(connection) as captured:
            response = call()
        assert response.status_code in (200, 201), (name, response.status_code, response.content)
        counts[name] = len(captured)
    return counts


def create_body(order: str) -> str:
    return json.dumps(
        {
            "order": order,
            "reason": "not_received",
            "remedy": "refund_only",
            "description": "物流停在中转站十天，一直没有送到。",
        },
        ensure_ascii=False,
    )


# --- server ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, args, workers: int, log: Path):
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "arbitration.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        args.worker_class,
        "--workers",
        str(workers),
        "--threads",
        str(args.threads),
        "--keep-alive",
        str(args.keep_alive),
        "--backlog",
        "1024",
        "--error-logfile",
        str(log),
    ]
    with log.open("ab") as out:  # Django's own log lines go to stderr: keep them out of the table
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)


def stop_gunicorn(process) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_ready(port: int, key: str, process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see its log")
        try:
            conn = Connection("127.0.0.1", port)
            status, body = await conn.request(get(f"{API}/disputes?limit=1", key))
            await conn.close()
            if status == 200:
                return
            if status >= 400:
                raise RuntimeError(f"the API answers {status}: {body[:300]!r}")
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


# --- client ------------------------------------------------------------------------------------
class Connection:
    """One HTTP/1.1 connection, kept alive while the server allows (stdlib only)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
            self.writer = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None or self.reader.at_eof():
            await self.open()
        try:
            self.writer.write(raw)
            line = await self.reader.readline()
            if not line:
                raise ConnectionError("server closed the connection")
            status = int(line.split(None, 2)[1])
            length, chunked, close = None, False, False
            while (header := await self.reader.readline()) not in (b"\r\n", b""):
                name, _sep, value = header.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding":
                    chunked = b"chunked" in value.lower()
                elif name == b"connection":
                    close = b"close" in value.lower()
            if chunked:
                body = b""
                while size := int((await self.reader.readline()).split(b";")[0], 16):
                    body += await self.reader.readexactly(size)
                    await self.reader.readline()
                await self.reader.readline()
            elif length is not None:
                body = await self.reader.readexactly(length)
            else:
                body, close = await self.reader.read(), True
        except BaseException:
            await self.close()
            raise
        if close:
            await self.close()
        return status, body


def get(path: str, key: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        "Accept: application/json\r\n\r\n"
    ).encode()


def post(path: str, key: str, body: str) -> bytes:
    data = body.encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        f"Accept: application/json\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: {uuid.uuid4()}\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


def _proc_cpu(pid: int) -> tuple[int, float]:
    """(parent pid, user + system CPU seconds) of a live process, from /proc."""
    try:
        rest = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return -1, 0.0
    return int(rest[1]), (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> float:
    """CPU seconds all processes have used since boot (not idle, not waiting for I/O)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def wait_quiet(max_wait: float, below: float) -> float:
    """Wait (at most ``max_wait`` s) until the rest of the machine uses less than ``below`` of
    its CPUs over 5 s; return the share last seen. Nothing of the bench runs meanwhile."""
    deadline = time.monotonic() + max_wait
    while True:
        busy = _machine_busy()
        time.sleep(5)
        share = (_machine_busy() - busy) / (5 * (os.cpu_count() or 1))
        if share < below or time.monotonic() > deadline:
            return share
        print(f"  the machine is busy ({share:.0%} of its CPUs); waiting", flush=True)


class CpuMeter:
    """CPU seconds used by gunicorn (master and workers), by the PostgreSQL backends serving
    the bench database, and by this load generator: CPU per request is steadier than latency
    on a shared host, and compares across machines."""

    def __init__(self, server_pid: int, database_url: str):
        import psycopg

        self.server_pid = server_pid
        self.db = psycopg.connect(database_url, autocommit=True)
        self.db_name = urlsplit(database_url).path.lstrip("/")

    def snapshot(self) -> dict[str, dict[int, float]]:
        processes = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                processes[int(entry.name)] = _proc_cpu(int(entry.name))
        server = {
            pid: cpu
            for pid, (ppid, cpu) in processes.items()
            if pid == self.server_pid or ppid == self.server_pid
        }
        rows = self.db.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.db_name],
        ).fetchall()
        backends = {pid: processes.get(pid, (0, 0.0))[1] for (pid,) in rows}
        return {
            "server": server,
            "db": backends,
            "client": {0: time.process_time()},
            "machine": {0: _machine_busy()},
        }

    @staticmethod
    def used(before: dict, after: dict) -> dict[str, float]:
        """CPU seconds between two snapshots; a backend that appeared meanwhile counts whole.

        ``others`` is what the rest of the machine (other people's jobs) used meanwhile.
        """
        used = {
            part: sum(cpu - before[part].get(pid, 0.0) for pid, cpu in after[part].items())
            for part in after
        }
        used["others"] = max(used.pop("machine") - used["server"] - used["db"] - used["client"], 0)
        return used

    def close(self) -> None:
        self.db.close()


@dataclass
class Result:
    scenario: str
    mode: str
    clients: int
    latencies: list[float] = field(default_factory=list)  # ms
    errors: int = 0
    seconds: float = 0.0
    offered_rate: float | None = None
    first_error: str = ""
    cpu: dict[str, float] = field(default_factory=dict)  # seconds, from CpuMeter

    def others_share(self) -> float:
        """Fraction of the machine's CPUs that other people's jobs used during the run."""
        return self.cpu.get("others", float("nan")) / (self.seconds * (os.cpu_count() or 1))

    def cpu_ms(self, part: str) -> float:
        """CPU milliseconds per request spent by ``part`` (server, db, client)."""
        return 1000 * self.cpu.get(part, float("nan")) / max(self.requests, 1)

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def run(
    pool: list[Connection],
    make,
    *,
    scenario: str,
    mode: str,
    duration: float | None = None,
    count: int | None = None,
    rate: float | None = None,
    meter: CpuMeter | None = None,
) -> Result:
    """``make(client)`` gives the next request's bytes. Closed loop, or paced at ``rate``/s.

    The clients keep their connections from one run to the next, as a real client's pool
    does: gunicorn's gthread worker lends a thread to a new connection until its first
    request arrives (up to 5 s), so fresh idle connections would measure that, not the API.
    """
    clients = len(pool)
    result = Result(scenario, mode, clients, offered_rate=rate)
    connections = pool
    remaining = [count]

    def take() -> bool:
        if remaining[0] is None:
            return True
        remaining[0] -= 1
        return remaining[0] >= 0

    async def one(conn, raw, started):
        try:
            status, body = await conn.request(raw)
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
            result.errors += 1
            result.first_error = result.first_error or repr(exc)
            return
        if 200 <= status < 300:
            result.latencies.append((time.perf_counter() - started) * 1000)
        else:
            result.errors += 1
            result.first_error = result.first_error or f"{status} {body[:200]!r}"

    async def closed(i, conn, end):
        while (end is None or time.perf_counter() < end) and take():
            raw = make(i)
            await one(conn, raw, time.perf_counter())

    async def paced(i, conn, start, end):
        interval = clients / rate
        scheduled = start + random.uniform(0, interval)
        while scheduled < end and take():
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await one(conn, make(i), scheduled)  # late sends count from when they were due
            scheduled += interval

    before = meter.snapshot() if meter else None
    start = time.perf_counter()
    if rate is None:
        end = start + duration if duration else None
        await asyncio.gather(*(closed(i, c, end) for i, c in enumerate(connections)))
    else:
        end = start + (duration if duration else count / rate)
        await asyncio.gather(*(paced(i, c, start, end) for i, c in enumerate(connections)))
    result.seconds = time.perf_counter() - start
    if meter:
        result.cpu = meter.used(before, meter.snapshot())
    return result


# --- report ------------------------------------------------------------------------------------
def fmt(value: float, digits: int = 1) -> str:
    return "–" if value != value else f"{value:.{digits}f}"


def table(results: list[Result]) -> str:
    lines = [
        "| scenario | mode | clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms "
        "| target p99 | met? | CPU ms/req: server / db / client | others' CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in results:
        target = TARGETS_MS[r.scenario]
        if target is None or r.clients == 1:
            target_s, met = "–", "–"
        else:
            ok = r.errors == 0 and r.pct(99) < target
            target_s, met = f"< {target:.0f} ms", "yes" if ok else "**no**"
        cpu = " / ".join(fmt(r.cpu_ms(part)) for part in ("server", "db", "client"))
        lines.append(
            f"| {r.scenario} | {r.mode} | {r.clients} | {r.requests} | {r.errors} "
            f"| {r.throughput:.0f} | {fmt(r.pct(50))} | {fmt(r.pct(95))} | {fmt(r.pct(99))} "
            f"| {target_s} | {met} | {cpu} | {r.others_share():.0%} |"
        )
    return "\n".join(lines)


def ratios(results: list[Result]) -> str:
    cpus = os.cpu_count() or 1
    lines = [
        "| scenario | 1-client p50 ms (floor) | p99 ÷ floor, paced | p99 ÷ floor, saturated "
        "| saturated req/s × floor (parallelism) | server + db CPU ms/req (saturated) "
        f"| ceiling req/s on {cpus} CPUs from that cost | saturated ÷ ceiling |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for scenario in TARGETS_MS:
        runs = [r for r in results if r.scenario == scenario]
        if len(runs) < 3:
            continue
        floor, sat, paced = runs[0].pct(50), runs[1], runs[2:]
        cost = sat.cpu_ms("server") + sat.cpu_ms("db")
        ceiling = cpus * 1000 / cost if cost == cost and cost > 0 else float("nan")
        by_load = ", ".join(f"{r.mode.split('(')[1][:-1]}: {r.pct(99) / floor:.1f}" for r in paced)
        lines.append(
            f"| {scenario} | {floor:.1f} | {by_load} | {sat.pct(99) / floor:.1f} "
            f"| {sat.throughput * floor / 1000:.2f} | {fmt(cost)} | {fmt(ceiling, 0)} "
            f"| {sat.throughput / ceiling:.2f} |"
        )
    return "\n".join(lines)


def verdicts(results: list[Result]) -> str:
    """Per target: the highest paced load (and rate) at which it held, with no errors."""
    lines = []
    for scenario, target in TARGETS_MS.items():
        paced = [r for r in results if r.scenario == scenario and r.mode.startswith("paced")]
        if target is None or not paced:
            continue
        held = [r for r in paced if r.errors == 0 and r.pct(99) < target]
        best = max(held, key=lambda r: r.offered_rate, default=None)
        where = f"held up to {best.mode}" if best else "**missed** at every paced load"
        sat = next(r for r in results if r.scenario == scenario and r.mode == "saturated")
        lines.append(
            f"- {scenario} p99 < {target:.0f} ms at {sat.clients} clients: {where}; "
            f"saturated: p99 {sat.pct(99):.0f} ms at {sat.throughput:.0f} req/s"
        )
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------------------
def _span(creating: bool, seconds: float, creates: int) -> dict:
    return {"duration": seconds, "count": creates if creating else None}


async def load(args, port: int, data: dict, meter: CpuMeter) -> list[Result]:
    keys, ids, fresh = data["keys"], data["dispute_ids"], iter(data["fresh_orders"])
    rng = random.Random(7)
    makers = {
        "read": lambda i: get(f"{API}/disputes/{rng.choice(ids)}", keys[i]),
        "list": lambda i: get(f"{API}/disputes", keys[i]),
        "create": lambda i: post(f"{API}/disputes", keys[i], create_body(next(fresh))),
    }
    pool = [Connection("127.0.0.1", port) for _ in range(args.clients)]
    results = []
    for scenario, make in makers.items():
        if scenario not in args.scenarios:
            continue
        # Every phase runs for a fixed time; creates also stop at a count (each needs one of
        # the fresh orders made up front).
        creating = scenario == "create"
        span = functools.partial(_span, creating)

        print(f"  {scenario}: warm-up, 1 client, saturated", flush=True)
        await run(
            pool, make, scenario=scenario, mode="warm-up", **span(args.warmup, args.warmup_creates)
        )
        floor = await run(
            pool[:1],
            make,
            scenario=scenario,
            mode="1-client",
            count=args.floor_requests,
            meter=meter,
        )
        sat = await run(
            pool,
            make,
            scenario=scenario,
            mode="saturated",
            meter=meter,
            **span(args.duration, args.sat_creates),
        )
        results += [floor, sat]
        paced_rates = args.rates or [sat.throughput * fraction for fraction in args.load]
        for rate in paced_rates:
            rate = max(rate, 1.0)
            fraction = rate / sat.throughput if sat.throughput else 0.0
            print(f"  {scenario}: paced at {rate:.0f} req/s", flush=True)
            paced = await run(
                pool,
                make,
                scenario=scenario,
                mode=f"paced {rate:.0f}/s ({fraction:.0%})",
                rate=rate,
                meter=meter,
                **span(args.duration, args.paced_creates),
            )
            results.append(paced)
    await asyncio.gather(*(c.close() for c in pool))
    return results


def server_shape(args, workers: int) -> str:
    if args.worker_class == "sync":  # one request at a time per process, no keep-alive
        return f"gunicorn sync, {workers} workers, a connection per request"
    keep = f"keep-alive {args.keep_alive} s" if args.keep_alive else "no keep-alive"
    return f"gunicorn {args.worker_class}, {workers} workers × {args.threads} threads, {keep}"


def machine_notes(args, workers: int, load_before) -> str:
    import psycopg

    cpus = os.cpu_count()
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with psycopg.connect(args.database_url) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    cache = "Redis" if os.environ.get("REDIS_URL") else "file-based (embedded default)"
    return "\n".join(
        [
            f"- machine: {cpus} CPUs ({model}); Python {sys.version.split()[0]}; PostgreSQL {pg}",
            f"- server: {server_shape(args, workers)}; DEBUG off; cache/throttle store: {cache}",
            "- the load generator (one asyncio process, one connection per client, kept alive "
            "when the server allows) "
            f"runs on the same {cpus} CPUs as gunicorn and PostgreSQL and takes CPU from them",
            f"- load average (1/5/15 min) before the run: "
            f"{' / '.join(f'{v:.2f}' for v in load_before)}; after: "
            f"{' / '.join(f'{v:.2f}' for v in os.getloadavg())}",
            f"- data: {args.disputes} seeded disputes (a quarter with a merchant offer), "
            f"{args.clients} API keys of one platform (one per client; throttle budget raised "
            "to stay out of the way, its cache read/write still runs per request)",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help=f"default: the DATABASE_URL server, db {DB_NAME}")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--disputes", type=int, default=3000, help="seeded disputes")
    parser.add_argument("--duration", type=float, default=15, help="seconds per read phase")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of read warm-up")
    parser.add_argument("--floor-requests", type=int, default=300, help="1-client requests")
    parser.add_argument("--sat-creates", type=int, default=2000, help="at most, saturated")
    parser.add_argument("--paced-creates", type=int, default=1000, help="at most, per rate")
    parser.add_argument("--warmup-creates", type=int, default=200, help="at most")
    parser.add_argument(
        "--load", default="0.25,0.5,0.75", help="paced rates, as fractions of the saturated one"
    )
    parser.add_argument(
        "--rates",
        default="",
        help="paced rates in req/s, instead of --load (compares server settings at equal load)",
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="default: 2 × CPUs + 1, as the Procfile"
    )
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument(
        "--worker-class",
        default="sync",
        choices=["sync", "gthread"],
        help="sync: as the Procfile (a connection per request); gthread: keep-alive threads",
    )
    parser.add_argument(
        "--keep-alive",
        type=int,
        default=60,
        help="seconds (gthread); 0: a connection per request",
    )
    parser.add_argument(
        "--scenarios", default="read,list,create", help="comma list of read,list,create"
    )
    parser.add_argument("--markdown", type=Path, help="also write the report here")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before the load, wait up to this long for other jobs to use < 25%% of the CPUs",
    )
    args = parser.parse_args()
    args.scenarios = set(args.scenarios.split(","))
    args.load = [float(fraction) for fraction in args.load.split(",")]
    args.rates = [float(rate) for rate in args.rates.split(",") if rate]
    args.database_url = bench_database_url(args.database_url)
    args.creates = (
        1
        + args.warmup_creates
        + args.floor_requests
        + args.sat_creates
        + args.paced_creates * len(args.rates or args.load)
        if "create" in args.scenarios
        else 1  # the probe that counts a create's SQL statements
    )
    workers = args.workers or 2 * (os.cpu_count() or 1) + 1
    load_before = os.getloadavg()

    var_dir = Path(tempfile.mkdtemp(prefix="tianping-bench-api-"))
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "TIANPING_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "arbitration.settings",
            "API_RATE": "1000000/min",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    print(f"database {args.database_url} (recreated), var dir {var_dir}", flush=True)
    recreate_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    print(f"seeding {args.disputes} disputes and {args.creates} fresh orders…", flush=True)
    data = seed(args)
    with connections["default"].cursor() as cursor:
        # Fresh statistics, as autovacuum keeps them in a running deployment: right after a
        # bulk seed the planner still thinks the tables are empty and sorts whole tables.
        cursor.execute("VACUUM ANALYZE")
    probe_orders, data["fresh_orders"] = data["fresh_orders"][:1], data["fresh_orders"][1:]
    queries = queries_per_request(data["keys"][0], data["dispute_ids"][0], probe_orders[0])
    connections.close_all()
    print(
        f"  seeded in {data['seed_s']:.0f} s + {data['orders_s']:.0f} s; "
        f"SQL per request: {queries}",
        flush=True,
    )

    if args.wait_quiet:
        share = wait_quiet(args.wait_quiet, 0.25)
        print(f"  other jobs use {share:.0%} of the CPUs; starting", flush=True)
    port = free_port()
    log = var_dir / "gunicorn.log"
    server = start_gunicorn(dict(os.environ), port, args, workers, log)
    try:
        asyncio.run(wait_ready(port, data["keys"][0], server))
        print(f"up on 127.0.0.1:{port}: {server_shape(args, workers)}")
        meter = CpuMeter(server.pid, args.database_url)
        try:
            results = asyncio.run(load(args, port, data, meter))
        finally:
            meter.close()
    finally:
        stop_gunicorn(server)

    errors = [r for r in results if r.errors]
    report = "\n\n".join(
        [
            "## Results",
            table(results),
            "## Targets",
            verdicts(results),
            "## Ratios to the 1-client floor (comparable across machines)",
            ratios(results),
            "## SQL statements per request",
            ", ".join(f"{k}: {v}" for k, v in queries.items()),
            "## Machine",
            machine_notes(args, workers, load_before),
        ]
    )
    if errors:
        report += "\n\nfirst errors: " + "; ".join(
            f"{r.scenario}/{r.mode}: {r.first_error}" for r in errors
        )
        report += f"\n\nserver log kept: {log}"
    else:
        shutil.rmtree(var_dir, ignore_errors=True)
    print()
    print(report)
    if args.markdown:
        args.markdown.write_text(report + "\n")


if __name__ == "__main__":
    main()
