"""Settings come from the environment and fail loudly on a malformed value.

Each case imports the settings in a fresh interpreter, the way gunicorn or a worker would.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json; from django.conf import settings; "
    "print(json.dumps({name: getattr(settings, name) for name in "
    "('DEBUG', 'SECRET_KEY', 'SECURE_HSTS_SECONDS', 'TRUSTED_PROXIES')}))"
)


@pytest.fixture
def load_settings(tmp_path):
    def load(**overrides):
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DEBUG", "SECRET_KEY"} and not key.startswith("PYTEST")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="arbitration.settings",
            TIANPING_VAR_DIR=str(tmp_path / "var"),
            **overrides,
        )
        return subprocess.run(
            [sys.executable, "-c", PROBE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return load


def test_it_refuses_to_start_with_a_malformed_boolean(load_settings):
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "maybe" in result.stderr


def test_it_refuses_to_start_with_a_malformed_database_url(load_settings):
    result = load_settings(DATABASE_URL="nonsense://what")
    assert result.returncode != 0
    assert "DATABASE_URL must be" in result.stderr


def test_debug_is_off_unless_asked_for(load_settings):
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["DEBUG"] is False


def test_debug_turns_on_when_asked_for(load_settings):
    result = load_settings(DEBUG="true")
    assert json.loads(result.stdout)["DEBUG"] is True


def test_it_uses_the_secret_key_from_the_environment(load_settings):
    result = load_settings(SECRET_KEY="from-the-environment-" + "x" * 40)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["SECRET_KEY"] == "from-the-environment-" + "x" * 40


def test_without_a_secret_key_it_keeps_one_private_generated_key(load_settings, tmp_path):
    first = json.loads(load_settings().stdout)["SECRET_KEY"]
    second = json.loads(load_settings().stdout)["SECRET_KEY"]
    key_file = tmp_path / "var" / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o077 == 0


def test_secure_cookies_turn_hsts_on(load_settings):
    assert (
        json.loads(load_settings(SECURE_COOKIES="true").stdout)["SECURE_HSTS_SECONDS"] == 31536000
    )
    assert json.loads(load_settings().stdout)["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.parametrize(
    ("value", "parsed"), [("", 0), ("1", 1), ("10.0.0.0/8, fd00::/8", ["10.0.0.0/8", "fd00::/8"])]
)
def test_trusted_proxies_are_a_count_or_networks(load_settings, value, parsed):
    result = load_settings(TRUSTED_PROXIES=value)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["TRUSTED_PROXIES"] == parsed


def test_a_malformed_trusted_proxy_network_stops_the_process(load_settings):
    result = load_settings(TRUSTED_PROXIES="10.0.0.0/8,nginx")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "nginx" in result.stderr
