"""E-mail settings come from the environment: console by default, SMTP by EMAIL_URL/EMAIL_HOST.

Each case imports the settings in a fresh interpreter, as the server and the worker do.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) "
    "for k in ('EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_USE_TLS')}))"
)
EMAIL_VARS = {"EMAIL_URL", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_BACKEND", "EMAIL_USE_TLS"}


def email_settings(tmp_path, **overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in EMAIL_VARS}
    env.update(
        DJANGO_SETTINGS_MODULE="arbitration.settings",
        TIANPING_VAR_DIR=str(tmp_path / "var"),
        **overrides,
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_mail_is_printed_to_the_console_by_default(tmp_path):
    assert email_settings(tmp_path)["EMAIL_BACKEND"].endswith("console.EmailBackend")


@pytest.mark.parametrize(
    "env",
    [
        {"EMAIL_URL": "smtp+tls://user:secret@mail.example.com:587"},
        {"EMAIL_HOST": "mail.example.com"},
    ],
)
def test_smtp_is_configured_from_the_environment(tmp_path, env):
    loaded = email_settings(tmp_path, **env)
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert loaded["EMAIL_HOST"] == "mail.example.com"
    assert loaded["EMAIL_PORT"] == 587
    assert loaded["EMAIL_USE_TLS"] is True
