"""Playwright in Debian's chromium against pytest-django's live server.

No browser is downloaded: ``make test`` and ``.ci/run`` install Debian's ``chromium`` and
``fonts-noto-cjk`` (so the Chinese UI renders in screenshots).
"""

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture
def eager_celery(settings):
    """Run tasks (the refund) inside the live server, as a worker would, without one.

    Through Django settings, which Celery reads live: assigning ``app.conf`` would pin the
    value for every later test."""
    from arbitration.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert app.conf.task_always_eager is True


@pytest.fixture
def browser(monkeypatch):
    """Chromium, headless. Playwright's sync API runs an event loop in this thread, so Django
    must be told the ORM calls the test makes here are still synchronous."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        violations = _watch_for_csp_violations(browser)
        yield browser
        browser.close()
        assert not violations, f"Content-Security-Policy violations: {violations}"
        # ORM calls made while Playwright's loop runs get their own connection; close it, or
        # it keeps the PostgreSQL test database from being dropped at the end of the run.
        connections.close_all()


def _watch_for_csp_violations(browser) -> list[str]:
    """Every page of every context reports what the Content-Security-Policy blocked (a
    script, a style, an eval); the test fails on any."""
    violations: list[str] = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on(
            "console",
            lambda message: (
                violations.append(f"{message.location.get('url')}: {message.text[:120]}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return context

    browser.new_context = watched_context
    return violations


@pytest.fixture
def shoot(request):
    """``shoot(page, "name")`` saves a full-page screenshot under tests/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = request.node.module.__name__.rpartition(".")[2].removeprefix("test_")
    counter = iter(range(1, 100))

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{prefix}-{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def cracked_mug_jpeg(tmp_path) -> Path:
    """A real JPEG a buyer might take of a cracked mug."""
    img = Image.new("RGB", (640, 480), (214, 206, 196))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((220, 120, 420, 400), radius=20, fill=(246, 244, 238))
    draw.arc((380, 180, 500, 330), start=-80, end=80, fill=(236, 232, 226), width=20)
    draw.line((300, 130, 320, 220, 290, 300, 315, 390), fill=(60, 50, 45), width=4)
    path = tmp_path / "IMG_20250603_101512.jpg"
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=90)
    path.write_bytes(buffer.getvalue())
    return path


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def open_as(browser, live_server):
    """``open_as(user, path, viewport=PHONE, language="zh-hans")``: a page of a fresh browser
    context signed in as ``user`` (a session made with ``force_login``, no login form)."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def open_page(user, path, *, viewport=PHONE, language="zh-hans"):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(20_000)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                },
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []  # the messages of the confirmations accepted

        def accept(dialog):
            page.dialogs.append(dialog.message)
            dialog.accept()

        page.on("dialog", accept)
        page.goto(f"{live_server.url}{path}")
        return page

    yield open_page
    for context in contexts:
        context.close()
