"""Real Celery worker processes for tests, on this test run's database and broker.

A worker is started as ``celery -A arbitration worker`` with the environment pointed at the
test database (the SQLite file or the PostgreSQL test database), the test's private storage
and the broker (Redis when ``REDIS_URL`` is set, else the file broker under
``TIANPING_VAR_DIR``; or a broker URL the test names). Each test's workers listen on a queue
of their own, so other test runs sharing the broker never steal their tasks.

Loaded for the whole suite by ``tests/conftest.py`` (``pytest_plugins``).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from arbitration.celery import app

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60


def database_url() -> str:
    """A URL for the database this test run uses (the test database, not the dev one)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def worker_env(storage: Path, redis_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="arbitration.settings",
        DATABASE_URL=database_url(),
        TIANPING_VAR_DIR=str(settings.VAR_DIR),
        PRIVATE_MEDIA_ROOT=str(storage),
        CELERY_TASK_ALWAYS_EAGER="false",
        EVIDENCE_SWEEP_SECONDS="3600",
        PYTHONUNBUFFERED="1",
    )
    redis_url = redis_url or settings.REDIS_URL
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path
    name: str

    def output(self) -> str:
        return self.log.read_text()

    def pool_pids(self) -> list[int]:
        """The prefork pool's child processes (where tasks run)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool): no shutdown, no acks, no requeue."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        else:
            # The main process is gone; make sure no orphaned pool child outlives the test.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)


def wait_until(check, timeout: float, what: str, *workers: Worker, interval: float = 0.5):
    """Poll ``check`` until it returns something truthy; on timeout fail with the logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(interval)
    logs = "\n".join(f"--- {w.name} ---\n{w.output()}" for w in workers)
    pytest.fail(f"Timed out after {timeout:.0f}s waiting for {what}.\n{logs}")


@pytest.fixture
def start_worker(transactional_db, settings, tmp_path):
    """Start real worker processes on this test's private queue: ``start_worker()`` returns a
    ready :class:`Worker`; ``redis_url=`` points it at another broker. Tasks the test sends
    go to that queue. Every worker is stopped at teardown and its log printed (pytest shows
    it when the test fails)."""
    queue = f"e2e-{uuid.uuid4().hex[:12]}"
    storage = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    started: list[Worker] = []
    previous_queue = app.conf.task_default_queue

    def start(*, redis_url: str | None = None) -> Worker:
        number = len(started) + 1
        log = tmp_path / f"worker-{number}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "arbitration", "worker",
            "--loglevel", "info", "--queues", queue, "--concurrency", "1",
            "--hostname", f"{queue}-{number}@%h", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        env = worker_env(storage, redis_url)
        # Tasks sent by tasks (a webhook delivery after an analysis) stay on this queue too.
        env["CELERY_TASK_DEFAULT_QUEUE"] = queue
        with log.open("w") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        worker = Worker(process=process, log=log, name=f"{queue}-{number}")
        started.append(worker)

        def ready():
            if process.poll() is not None:
                pytest.fail(f"The worker exited with {process.returncode}.\n{worker.output()}")
            return " ready." in worker.output()

        wait_until(ready, READY_TIMEOUT, "the worker to be ready", worker)
        app.conf.task_default_queue = queue
        return worker

    try:
        yield start
    finally:
        app.conf.task_default_queue = previous_queue
        for worker in started:
            worker.stop()
            print(f"--- worker log ({worker.name}) ---\n{worker.output()}")


@pytest.fixture
def worker(start_worker) -> Worker:
    """One ready worker on this test's private queue."""
    return start_worker()
