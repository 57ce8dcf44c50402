"""Every page has a Content-Security-Policy that allows no inline script or style, HTTPS
sites send HSTS, and pages for a signed-in person are never stored by a cache."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    directives = response["Content-Security-Policy"].split(";")
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in directives) if d}


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/console/login/", "/api/v1/docs/", "/api/v1/nowhere"]
)
def test_every_page_has_a_strict_policy(client, url):
    csp = policy(client.get(url))
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_the_dispute_page_has_it_too_and_is_not_cached(buyer_client, dispute):
    response = buyer_client.get(reverse("dispute", kwargs={"pk": dispute.pk}))
    assert policy(response)["script-src"] == ["'self'"]
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-store"}


def test_an_htmx_move_is_not_cached_either(merchant_client, dispute):
    response = merchant_client.post(
        reverse("merchant_respond", kwargs={"pk": dispute.pk}),
        {"statement": "Packed well."},
        HTTP_HX_REQUEST="true",
    )
    assert "no-store" in response["Cache-Control"]


def test_evidence_files_keep_their_own_caching(buyer_client, dispute):
    item = dispute.evidence.first()
    response = buyer_client.get(reverse("evidence_file", args=[item.uid]))
    assert response["Cache-Control"] == "private, max-age=3600"


def test_no_template_has_an_inline_script_or_style():
    """What the policy would block: script without src, <style>, style="…", on…= handlers."""
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE
    )
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert found == []


def _settings(**env) -> dict:
    probe = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE]))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environment.update(DJANGO_SETTINGS_MODULE="arbitration.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_secure_cookies_turn_hsts_on(tmp_path):
    assert _settings(SECURE_COOKIES="true", TIANPING_VAR_DIR=str(tmp_path)) == [31536000, True]
    assert _settings(SECURE_COOKIES="false", TIANPING_VAR_DIR=str(tmp_path)) == [0, False]


def test_an_https_response_carries_hsts(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_the_api_docs_load_their_script_from_a_url_not_inline(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "<script>" not in page
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
