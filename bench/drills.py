"""Fault drills on a production-shaped stack: nothing acknowledged is lost or done twice.

Run: .venv/bin/python bench/drills.py [--database-url postgres://…/tianping_drills]
                                      [--markdown bench/RESULTS-drills.md]

The script starts everything itself, on loopback only: a ``redis-server`` on a free port
(broker and cache, as ``REDIS_URL`` makes it), its own PostgreSQL database
(``tianping_drills`` on the ``DATABASE_URL`` server, recreated), gunicorn as the Procfile
runs it, a Celery worker, Celery beat, and a webhook receiver. Beat's sweeps run every few
seconds and the analysis time limit is short, so recovery fits in the run; everything else
is the production code and settings.

While clients stream uploads through the API (each request with an ``Idempotency-Key``,
retried with the same key until acknowledged) and through the web pages (a logged-in
merchant; no key, so no retry), it:

1. SIGKILLs the whole worker while it analyses a 6-MP photo, and starts a new one;
2. stops its Redis for a while and starts it again;
3. takes the webhook receiver down and brings it back;
4. races an accept against a reject (and an accept) on one offer, several times;
5. stops beat, lets dispute deadlines pass (the drill moves them to "now"; the platform
   windows are hours), and starts beat again.

Then it waits for the system to settle and prints what every acknowledged request became:
"lost" (acknowledged, not stored) and "duplicates" (stored twice) must be 0; the script
exits 1 otherwise. Bounded: about 3 minutes, at most ``--settle`` seconds of waiting.
"""

from __future__ import annotations

import argparse
import hashlib
import http.cookiejar
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_load import (  # noqa: E402
    bench_database_url,
    free_port,
    order_payload,
    recreate_database,
)

DB_NAME = "tianping_drills"
API = "/api/v1"
BIN = Path(sys.executable).parent
PASSWORD = "drill-" + uuid.uuid4().hex[:12]


# --- processes ----------------------------------------------------------------------------------
class Process:
    """One service of the stack, started and stopped (or killed) by the drill."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path):
        self.name, self.command, self.env, self.log = name, command, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True
            )

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the process group: no shutdown, no acknowledgements, no requeue."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(check, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


class Receiver:
    """The platform's webhook endpoint on a fixed loopback port; it can go down and back."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}/hooks"
        self.event_ids: list[int] = []
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.event_ids.append(json.loads(body)["id"])
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- HTTP clients ---------------------------------------------------------------------------
def multipart(fields: dict, files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(f"{value}\r\n".encode())
    for filename, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


@dataclass
class Tally:
    acknowledged: int = 0
    server_errors: int = 0
    connection_errors: int = 0
    retries: int = 0
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts) -> None:
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)


class Api:
    def __init__(self, base: str, key: str, tally: Tally):
        self.base, self.key, self.tally = base, key, tally

    def send(self, path: str, body: bytes, content_type: str, key: str | None):
        url = self.base + API + path  # always http://127.0.0.1:<port>
        request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310
        request.add_header("Authorization", f"Bearer {self.key}")
        request.add_header("Content-Type", content_type)
        if key:
            request.add_header("Idempotency-Key", key)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
        except OSError:
            return None, None

    def post(self, path: str, body: bytes, content_type: str, budget: float = 90):
        """POST with an Idempotency-Key, retried with the same key until answered below 500."""
        key = uuid.uuid4().hex
        deadline = time.monotonic() + budget
        while True:
            status, data = self.send(path, body, content_type, key)
            if status is not None and status < 500:
                return status, data
            self.tally.add(
                server_errors=status is not None, connection_errors=status is None, retries=1
            )
            if time.monotonic() > deadline:
                return status, data
            time.sleep(1)

    def post_json(self, path: str, document: dict):
        return self.post(path, json.dumps(document).encode(), "application/json")


class Web:
    """A logged-in browser: the session cookie and the CSRF token, as a form post sends them."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        self.opener.open(base + "/accounts/login/", timeout=30).read()
        body = f"username={username}&password={PASSWORD}&csrfmiddlewaretoken={self.csrf()}".encode()
        self.form_post("/accounts/login/", body, "application/x-www-form-urlencoded")

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def form_post(self, path: str, body: bytes, content_type: str) -> int | None:
        request = urllib.request.Request(self.base + path, data=body, method="POST")  # noqa: S310
        request.add_header("Content-Type", content_type)
        request.add_header("X-CSRFToken", self.csrf())
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# --- photos -----------------------------------------------------------------------------------
def photo(seed: int, size=(480, 360)) -> bytes:
    """A camera-like JPEG (smooth shapes plus noise), unique per seed."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (13, 17, 3), dtype=np.uint8)
    smooth = Image.fromarray(coarse).resize(size, Image.Resampling.BICUBIC)
    noisy = np.asarray(smooth, np.int16) + rng.normal(0, 3, (size[1], size[0], 3)).astype(np.int16)
    out = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=90)
    return out.getvalue()


# --- the drill --------------------------------------------------------------------------------
class Drill:
    def __init__(self, args):
        self.args = args
        self.var = Path(tempfile.mkdtemp(prefix="tianping-drills-"))
        self.redis_port, self.web_port = free_port(), free_port()
        self.receiver = Receiver(free_port())
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.env = dict(
            os.environ,
            DATABASE_URL=args.database_url,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            TIANPING_VAR_DIR=str(self.var),
            DJANGO_SETTINGS_MODULE="arbitration.settings",
            SECRET_KEY="drills-" + uuid.uuid4().hex,
            DEBUG="false",
            LOG_LEVEL="WARNING",
            WEBHOOK_ALLOW_PRIVATE_URLS="true",
            API_RATE="1000000/min",
            UPLOAD_RATE_LIMIT="100000/m",
            LOGIN_RATE_LIMIT="100000/m",
            EXPIRY_SWEEP_SECONDS="3",
            EVIDENCE_SWEEP_SECONDS="3",
            WEBHOOK_SWEEP_SECONDS="3",
            REFUND_SWEEP_SECONDS="3",
            REFUND_SWEEP_GRACE_SECONDS="5",
            NOTIFICATION_SWEEP_SECONDS="30",
            EVIDENCE_STALE_PENDING_SECONDS="15",
            EVIDENCE_ANALYSIS_TIME_LIMIT="30",
            PYTHONUNBUFFERED="1",
        )
        self.env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        log = self.var
        self.redis = Process(
            "redis",
            ["/usr/bin/redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.var)],
            self.env, log / "redis.log",
        )  # fmt: skip
        self.web = Process(
            "web",
            [str(BIN / "gunicorn"), "arbitration.wsgi", "--bind", f"127.0.0.1:{self.web_port}",
             "--worker-class", "sync", "--workers", str(args.web_workers), "--timeout", "60",
             "--error-logfile", str(log / "web.log")],
            self.env, log / "web.log",
        )  # fmt: skip
        self.worker_count = 0
        self.worker = self._worker()
        self.beat = Process(
            "beat",
            [str(BIN / "celery"), "-A", "arbitration", "beat", "-l", "warning",
             "-s", str(self.var / "celerybeat-schedule")],
            self.env, log / "beat.log",
        )  # fmt: skip
        self.tally = Tally()
        self.acked: list[tuple[str, str]] = []  # (what, sha256 or order id) acknowledged
        self.web_refused = 0
        self.faults: dict[str, float] = {}
        self.notes: list[str] = []
        self.restarts = 0
        self.supervising = threading.Event()

    def _worker(self) -> Process:
        self.worker_count += 1
        return Process(
            "worker",
            [str(BIN / "celery"), "-A", "arbitration", "worker", "-l", "info", "-c", "2",
             "-n", f"drill{self.worker_count}@%h", "--without-mingle", "--without-gossip"],
            self.env, self.var / f"worker{self.worker_count}.log",
        )  # fmt: skip

    # --- setup ---
    def setup(self) -> None:
        os.environ.update(self.env)
        recreate_database(self.args.database_url)
        self.redis.start()
        wait_for(self._redis_answers, 10, "redis-server")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        self._seed()
        self.receiver.start()
        self.web.start()
        wait_for(self._web_answers, 60, "gunicorn")
        self.worker.start()
        self.beat.start()
        self.api = Api(self.base, self.key, self.tally)
        self.browser = Web(self.base, "drill-merchant")

    def _redis_answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.redis_port, socket_connect_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            return False

    def _web_answers(self) -> bool:
        try:
            login = self.base + "/accounts/login/"
            with urllib.request.urlopen(login, timeout=5) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    def _seed(self) -> None:
        from accounts.models import Party, Platform, User
        from accounts.services import api_key_create
        from arbitration.services import order_upsert
        from webhooks.services import endpoint_create

        platform = Platform.objects.create(name="Drill Mall", slug="drill-mall")
        self.key = api_key_create(platform=platform, name="drills")[1]
        endpoint_create(platform=platform, url=self.receiver.url)
        order_upsert(platform=platform, **order_payload("SETUP", 0, 0))
        merchant = Party.objects.get(platform=platform, external_id="M0000")
        merchant.user = User.objects.create_user("drill-merchant", password=PASSWORD)
        merchant.save(update_fields=["user"])

    # --- traffic ---
    def open_dispute(self, n: int, data: bytes | None = None) -> int | None:
        """An order and a dispute with one photo through the API; the dispute id once acked."""
        status, _ = self.api.post_json("/orders", order_payload(f"D{n:05d}", n, 0))
        if status not in (200, 201):
            return None
        self.tally.add(acknowledged=1)
        self.acked.append(("order", f"D{n:05d}"))
        data = data or photo(n)
        body, content_type = multipart(
            {"order": f"D{n:05d}", "reason": "damaged", "remedy": "refund_only",
             "description": "The mug arrived cracked."},
            [(f"claim-{n}.jpg", data)],
        )  # fmt: skip
        status, created = self.api.post("/disputes", body, content_type)
        if status != 201:
            self.notes.append(f"dispute D{n:05d}: {status} {created}")
            return None
        self.tally.add(acknowledged=1)
        self.acked.append(("photo", hashlib.sha256(data).hexdigest()))
        return created["id"]

    def merchant_evidence(self, dispute_id: int, n: int, web: bool) -> None:
        data = photo(100_000 + n, size=(400, 300))
        body, content_type = multipart(
            {"party": "merchant", "caption": "packing"}, [("p.jpg", data)]
        )
        if web:
            status = self.browser.form_post(f"/disputes/{dispute_id}/evidence/", body, content_type)
            if status != 302:
                self.web_refused += 1
                return
        else:
            status, _ = self.api.post(f"/disputes/{dispute_id}/evidence", body, content_type)
            if status != 201:
                self.notes.append(f"evidence on {dispute_id}: {status}")
                return
        self.tally.add(acknowledged=1)
        self.acked.append(("photo", hashlib.sha256(data).hexdigest()))

    def stream(self, stop: threading.Event) -> None:
        """Clients upload until ``stop``: a new dispute, then API and web counter-evidence."""
        with ThreadPoolExecutor(max_workers=3) as pool:
            n = 0
            while not stop.is_set():
                n += 1

                def job(n=n):
                    dispute_id = self.open_dispute(n)
                    if dispute_id is not None:
                        self.merchant_evidence(dispute_id, n, web=n % 2 == 0)

                pool.submit(job)
                time.sleep(self.args.pace)

    # --- faults ---
    def kill_worker_mid_analysis(self) -> None:
        from evidence.models import Evidence

        big = photo(999_999, size=(3000, 2000))
        dispute_id = self.open_dispute(90_000, big)
        sha = hashlib.sha256(big).hexdigest()
        wait_for(
            lambda: Evidence.objects.filter(sha256=sha, analysis="running").exists(),
            60,
            "the 6-MP analysis to start",
            interval=0.02,
        )
        self.supervising.clear()
        self.worker.kill()
        killed = time.monotonic()
        time.sleep(2)
        self.worker = self._worker()
        self.worker.start()
        self.supervising.set()
        wait_for(
            lambda: Evidence.objects.filter(sha256=sha, analysis="done").exists(),
            self.args.settle,
            "the killed analysis to be redone",
            interval=0.5,
        )
        self.faults["worker SIGKILLed mid-analysis → that photo analysed"] = (
            time.monotonic() - killed
        )
        assert dispute_id is not None

    def redis_outage(self) -> None:
        errors_before = self.tally.server_errors + self.tally.connection_errors
        refused_before = self.web_refused
        self.redis.stop()
        time.sleep(self.args.outage)
        self.redis.start()
        back = time.monotonic()
        wait_for(self._redis_answers, 10, "redis-server again")
        self.faults["Redis back → next acknowledged upload"] = self._next_ack(back)
        self.notes.append(
            f"during the {self.args.outage:.0f} s Redis outage: "
            f"{self.tally.server_errors + self.tally.connection_errors - errors_before} API "
            f"attempts failed (retried with the same key), {self.web_refused - refused_before} "
            "web uploads refused (not retried)"
        )

    def _next_ack(self, since: float) -> float:
        count = self.tally.acknowledged
        wait_for(lambda: self.tally.acknowledged > count, 60, "an acknowledged upload")
        return time.monotonic() - since

    def receiver_outage(self) -> None:
        from webhooks.models import WebhookDelivery

        self.receiver.stop()
        time.sleep(self.args.outage)
        self.receiver.start()
        back = time.monotonic()
        wait_for(
            lambda: not WebhookDelivery.objects.filter(status="failed").exists(),
            self.args.settle,
            "the failed deliveries to be retried",
            interval=1,
        )
        self.faults["receiver back → every failed delivery delivered"] = time.monotonic() - back

    def races(self) -> dict[int, int]:
        """Accept against reject (and accept against accept) on one offer, in parallel."""
        codes: dict[int, int] = {}
        for n in range(self.args.races):
            dispute_id = self.open_dispute(80_000 + n)
            self.api.post_json(
                f"/disputes/{dispute_id}/offers", {"party": "merchant", "percent": 30}
            )
            actions = ["accept", "reject" if n % 2 == 0 else "accept"]
            barrier = threading.Barrier(2)

            def answer(action, dispute_id=dispute_id, barrier=barrier):
                barrier.wait()
                return self.api.post_json(
                    f"/disputes/{dispute_id}/offers/{action}", {"party": "buyer"}
                )[0]

            with ThreadPoolExecutor(max_workers=2) as pool:
                for status in pool.map(answer, actions):
                    codes[status] = codes.get(status, 0) + 1
        return codes

    def deadlines_while_beat_is_down(self) -> list[int]:
        from django.utils import timezone

        from arbitration.models import Dispute

        self.beat.stop()
        due = list(
            Dispute.objects.filter(state="awaiting_merchant")
            .order_by("pk")
            .values_list("pk", flat=True)[: self.args.deadlines]
        )
        Dispute.objects.filter(pk__in=due).update(deadline_at=timezone.now())
        time.sleep(self.args.outage)
        self.beat.start()
        back = time.monotonic()
        wait_for(
            lambda: not Dispute.objects.filter(pk__in=due, state="awaiting_merchant").exists(),
            self.args.settle,
            "the overdue disputes to move",
            interval=0.5,
        )
        self.faults[f"beat back → {len(due)} overdue disputes moved"] = time.monotonic() - back
        return due

    def supervise(self, stop: threading.Event) -> None:
        """Start a worker again when one exits on its own, as systemd's ``Restart=always``
        (or a container's restart policy) does in production."""
        while not stop.wait(1):
            if self.supervising.is_set() and not self.worker.alive():
                self.restarts += 1
                self.notes.append(
                    f"the worker exited on its own; restarted (see {self.worker.log})"
                )
                self.worker = self._worker()
                self.worker.start()

    # --- the run ---
    def run(self) -> int:
        started = time.monotonic()
        self.setup()
        print(f"stack up in {time.monotonic() - started:.0f} s; var dir {self.var}", flush=True)
        stop = threading.Event()
        streamer = threading.Thread(target=self.stream, args=(stop,))
        streamer.start()
        self.supervising.set()
        threading.Thread(target=self.supervise, args=(stop,), daemon=True).start()
        try:
            for name, step in [
                ("kill the worker mid-analysis", self.kill_worker_mid_analysis),
                ("stop and restart Redis", self.redis_outage),
                ("take the receiver down and back", self.receiver_outage),
            ]:
                print(f"- {name}…", flush=True)
                step()
            print("- race conflicting answers…", flush=True)
            race_codes = self.races()
            print("- let deadlines pass while beat is down…", flush=True)
            self.deadlines_while_beat_is_down()
        finally:
            stop.set()
            streamer.join()
        self.supervising.clear()
        print("- settle…", flush=True)
        settled = self.settle()
        report = self.report(race_codes, settled, time.monotonic() - started)
        print(report)
        if self.args.markdown:
            self.args.markdown.write_text(report + "\n")
        return 0 if self.lost == self.duplicates == 0 else 1

    def settle(self) -> float:
        from arbitration.models import Refund
        from evidence.models import Evidence
        from webhooks.models import WebhookEvent

        begin = time.monotonic()

        def quiet() -> bool:
            open_analysis = Evidence.objects.filter(
                kind="image", analysis__in=["pending", "running"]
            ).exists()
            pending_refunds = Refund.objects.filter(status="pending").exists()
            delivered = set(self.receiver.event_ids)
            undelivered = WebhookEvent.objects.exclude(pk__in=delivered).exists()
            return not (open_analysis or pending_refunds or undelivered)

        try:
            wait_for(quiet, self.args.settle, "the stack to settle", interval=1)
        except RuntimeError as timeout:
            self.notes.append(str(timeout))
        return time.monotonic() - begin

    def report(self, race_codes: dict, settled: float, total: float) -> str:
        from django.db.models import Count

        from arbitration.models import Order, Refund
        from evidence.models import Evidence
        from webhooks.models import WebhookEvent

        codes = race_codes.items()
        photos = [sha for what, sha in self.acked if what == "photo"]
        orders = [ext for what, ext in self.acked if what == "order"]
        stored = dict(
            Evidence.objects.filter(sha256__in=photos)
            .values("sha256")
            .annotate(n=Count("pk"))
            .values_list("sha256", "n")
        )
        stored_orders = dict(
            Order.objects.filter(external_id__in=orders)
            .values("external_id")
            .annotate(n=Count("pk"))
            .values_list("external_id", "n")
        )
        self.lost = sum(1 for sha in photos if sha not in stored) + sum(
            1 for ext in orders if ext not in stored_orders
        )
        self.duplicates = sum(n - 1 for n in stored.values()) + sum(
            n - 1 for n in stored_orders.values()
        )
        images = Evidence.objects.filter(kind="image")
        events = WebhookEvent.objects.count()
        delivered = len(set(self.receiver.event_ids))
        rows = [
            ("requests acknowledged (API 2xx, web 302)", self.tally.acknowledged),
            ("… API attempts answered 5xx / no answer, retried", self.tally.server_errors),
            ("… API attempts with no answer (connection), retried", self.tally.connection_errors),
            ("… web uploads refused (not retried)", self.web_refused),
            ("evidence analysed / images stored", f"{images.filter(analysis='done').count()}"
             f" / {images.count()} ({images.filter(analysis='failed').count()} failed)"),
            ("duplicates", self.duplicates),
            ("lost", self.lost),
            ("webhook events created / delivered", f"{events} / {delivered}"),
            ("… deliveries received (at least once)", len(self.receiver.event_ids)),
            ("refunds pending", Refund.objects.filter(status="pending").count()),
            ("worker restarts by the supervisor (it exited on its own)", self.restarts),
            ("answer race status codes", ", ".join(f"{k}×{v}" for k, v in sorted(codes))),
        ]  # fmt: skip
        rows += [
            (f"time to recover: {name}", f"{seconds:.1f} s")
            for name, seconds in self.faults.items()
        ]
        rows += [
            ("time to settle after the last fault", f"{settled:.1f} s"),
            ("whole run", f"{total:.0f} s"),
        ]
        lines = ["| drill | result |", "|---|---:|"] + [f"| {k} | {v} |" for k, v in rows]
        load = os.getloadavg()
        lines += [
            "",
            f"Machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / "
            f"{load[2]:.1f} at the end (other jobs included); gunicorn {self.args.web_workers} "
            "sync workers, one Celery worker (-c 2), beat, Redis and PostgreSQL on loopback.",
        ]
        if self.notes:
            lines += ["", "Notes:"] + [f"- {note}" for note in self.notes[:20]]
        return "\n".join(lines)

    def close(self) -> None:
        for process in (self.web, self.worker, self.beat, self.redis):
            process.stop()
        if self.receiver.server is not None:
            self.receiver.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help=f"default: the DATABASE_URL server, db {DB_NAME}")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--pace", type=float, default=4.0, help="seconds between new clients")
    parser.add_argument("--outage", type=float, default=10, help="seconds each outage lasts")
    parser.add_argument("--races", type=int, default=4)
    parser.add_argument("--deadlines", type=int, default=5, help="disputes whose deadline passes")
    parser.add_argument("--settle", type=float, default=150, help="seconds to wait, at most")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args()
    args.database_url = bench_database_url(args.database_url, DB_NAME)
    drill = Drill(args)
    try:
        code = drill.run()
    finally:
        drill.close()
    sys.exit(code)


if __name__ == "__main__":
    main()
