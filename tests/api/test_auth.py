"""API keys: hashed at rest, prefix shown, revocable; every failure is a 401 in the format."""

import hashlib

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiKey
from accounts.services import api_key_revoke
from tests.api.conftest import error_of


def test_a_key_is_stored_only_as_its_hash(api_key):
    key, plaintext = api_key
    assert plaintext.startswith(f"tp_{key.prefix}_")
    assert len(key.prefix) == 8
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.hashed_key == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {str(value) for value in vars(stored).values()}


def test_a_valid_key_reads_and_marks_the_key_used(api_key, order):
    key, plaintext = api_key
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    response = client.get(f"/api/v1/orders/{order.external_id}")
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Token abc",
        "Bearer",
        "Bearer tp_short_secret",
        "Bearer tp_00000000_not-a-real-secret",
    ],
    ids=["missing", "other-scheme", "empty", "malformed", "unknown"],
)
def test_it_rejects_a_request_without_a_valid_key(db, order, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(f"/api/v1/orders/{order.external_id}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert error_of(response)["code"] in {"not_authenticated", "authentication_failed"}


def test_it_rejects_a_right_prefix_with_a_wrong_secret(api_key, order):
    key, _plaintext = api_key
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer tp_{key.prefix}_wrong-secret")
    response = client.get(f"/api/v1/orders/{order.external_id}")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_it_rejects_a_revoked_key(api_key, order):
    key, plaintext = api_key
    api_key_revoke(key=key)
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(f"/api/v1/orders/{order.external_id}")
    assert response.status_code == 401
    assert "revoked" in error_of(response)["message"]


def test_it_throttles_per_key(client_a, order, monkeypatch):
    from arbitration.api.auth import ApiKeyThrottle

    monkeypatch.setattr(ApiKeyThrottle, "rate", "2/min", raising=False)
    for _ in range(2):
        assert client_a.get(f"/api/v1/orders/{order.external_id}").status_code == 200
    response = client_a.get(f"/api/v1/orders/{order.external_id}")
    assert response.status_code == 429
    error = error_of(response)
    assert error["code"] == "throttled"
    assert error["details"]["retry_after"] > 0
    assert "Retry-After" in response


def test_an_unknown_path_is_a_404_in_the_error_format(client_a):
    response = client_a.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_key_revoked_after_use_stops_working_at_once(api_key, order):
    """The key's row is read on every call (a compiled query, nothing cached between calls)."""
    key, plaintext = api_key
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")
    assert client.get(f"/api/v1/orders/{order.external_id}").status_code == 200
    assert client.get(f"/api/v1/orders/{order.external_id}").status_code == 200
    api_key_revoke(key=key)
    response = client.get(f"/api/v1/orders/{order.external_id}")
    assert response.status_code == 401
    assert "revoked" in error_of(response)["message"]


def test_the_apis_key_check_agrees_with_the_accounts_service(api_key, other_platform):
    """``arbitration.api.auth.api_key_verify`` is the service's check on a faster read."""
    from accounts.services import api_key_create
    from accounts.services import api_key_verify as service_verify
    from arbitration.api.auth import api_key_verify as api_verify

    key, plaintext = api_key
    revoked, revoked_plaintext = api_key_create(platform=other_platform, name="old")
    api_key_revoke(key=revoked)
    for candidate in (
        revoked_plaintext,
        f"tp_{key.prefix}_wrong",
        f"tp_{key.prefix}_",
        f"xx_{key.prefix}_{plaintext.split('_', 2)[2]}",
        "tp_00000000_unknown",
        "tp_short_secret",
        "",
    ):
        assert api_verify(candidate) is None
        assert service_verify(candidate) is None
    found = api_verify(plaintext)
    assert found == service_verify(plaintext) == key
    expected = ApiKey.objects.select_related("platform").get(pk=key.pk)
    for field in ApiKey._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    for field in type(expected.platform)._meta.concrete_fields:
        assert getattr(found.platform, field.attname) == getattr(
            expected.platform, field.attname
        ), field.name
