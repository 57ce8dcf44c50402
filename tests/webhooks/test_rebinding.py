"""DNS rebinding: a delivery connects to the very address the SSRF guard checked.

The resolver is replaced by one that answers a public address first and 127.0.0.1 after, as
a rebinding attacker's name server would. The socket layer is replaced too: it records where
each connection goes and, for the public address, reaches the local test receiver instead
(standing in for the internet host).
"""

import datetime
import ssl

import pytest
import urllib3.util.connection
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import translation

from tests.fixtures.receiver import Receiver
from webhooks import addresses, services, transport
from webhooks.addresses import Destination
from webhooks.models import DeliveryAttempt, WebhookDelivery

PUBLIC = "93.184.215.14"
HOST = "hooks.example.com"


class Rebinding:
    """A name server that answers ``answers[0]``, then ``answers[1]``, ... (the last repeats)."""

    def __init__(self, *answers: list[str]):
        self.answers = list(answers)
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        index = min(len(self.lookups), len(self.answers)) - 1
        return self.answers[index]


@pytest.fixture
def connections(monkeypatch):
    """Where each connection was opened to; the public address is served by the receiver."""
    opened: list[tuple[str, int]] = []
    real = urllib3.util.connection.create_connection

    def fake_create_connection(address, *args, **kwargs):
        opened.append(address)
        host, port = address
        if host == PUBLIC:
            return real(("127.0.0.1", port), *args, **kwargs)
        raise ConnectionRefusedError(f"test network: {host} is not reachable")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", fake_create_connection)
    return opened


def _delivery(platform, url: str, settings) -> WebhookDelivery:
    """An endpoint saved while private URLs were allowed, then the guard switched on."""
    endpoint = services.endpoint_create(platform=platform, url=url)
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    event = services.webhooks_emit(platform=platform, type="dispute.updated", data={"id": 1})
    return event.deliveries.get(endpoint=endpoint)


def test_the_connection_goes_to_the_checked_address_not_a_rebound_one(
    platform, receiver, connections, monkeypatch, settings
):
    resolver = Rebinding([PUBLIC], ["127.0.0.1"])
    monkeypatch.setattr(addresses, "resolve", resolver)
    delivery = _delivery(platform, f"http://{HOST}:{receiver.port}/hooks?v=1", settings)

    attempt = services.delivery_attempt(delivery_id=delivery.pk)

    assert attempt.status_code == 200
    assert resolver.lookups == [HOST]  # looked up once, for the check
    assert connections == [(PUBLIC, receiver.port)]
    headers, _body = receiver.requests[0]
    assert headers["Host"] == f"{HOST}:{receiver.port}"


def test_the_next_attempt_checks_again_and_refuses_the_rebound_address(
    platform, receiver, connections, monkeypatch, settings
):
    monkeypatch.setattr(addresses, "resolve", Rebinding([PUBLIC], ["127.0.0.1"]))
    delivery = _delivery(platform, f"http://{HOST}:{receiver.port}/hooks", settings)
    services.delivery_attempt(delivery_id=delivery.pk)
    fresh = services.delivery_redeliver(delivery=delivery)

    with translation.override("en"):
        attempt = services.delivery_attempt(delivery_id=fresh.pk)

    assert attempt.status_code is None
    assert "public address" in attempt.error
    assert connections == [(PUBLIC, receiver.port)]  # nothing new was opened
    assert len(receiver.requests) == 1


def test_an_answer_mixing_public_and_private_addresses_is_refused(
    platform, receiver, connections, monkeypatch, settings
):
    monkeypatch.setattr(addresses, "resolve", Rebinding([PUBLIC, "127.0.0.1"]))
    delivery = _delivery(platform, f"http://{HOST}:{receiver.port}/hooks", settings)

    with translation.override("en"):
        attempt = services.delivery_attempt(delivery_id=delivery.pk)

    assert "public address" in attempt.error
    assert connections == []
    assert receiver.requests == []


def test_an_unreachable_checked_address_falls_back_only_to_other_checked_ones(
    platform, receiver, connections, monkeypatch, settings
):
    other_public = "1.1.1.1"
    monkeypatch.setattr(addresses, "resolve", Rebinding([other_public, PUBLIC], ["127.0.0.1"]))
    delivery = _delivery(platform, f"http://{HOST}:{receiver.port}/hooks", settings)

    attempt = services.delivery_attempt(delivery_id=delivery.pk)

    assert attempt.status_code == 200
    assert connections == [(other_public, receiver.port), (PUBLIC, receiver.port)]


def test_a_refused_connection_is_logged_as_a_connection_error(
    platform, receiver, connections, monkeypatch, settings
):
    monkeypatch.setattr(addresses, "resolve", Rebinding(["1.1.1.1"]))
    delivery = _delivery(platform, f"http://{HOST}:{receiver.port}/hooks", settings)

    attempt = services.delivery_attempt(delivery_id=delivery.pk)

    assert attempt.status_code is None
    assert attempt.error.startswith("ConnectionError")
    assert DeliveryAttempt.objects.get().error == attempt.error


# --- https: SNI and the certificate are checked against the URL's name ------------------------
def _certificate_authority():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tianping test CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _server_context(tmp_path, ca, hostname: str, seen: list) -> ssl.SSLContext:
    ca_key, ca_cert = ca
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "server.pem", tmp_path / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda sock, name, ctx: seen.append(name)
    return context


@pytest.fixture
def https_receiver(tmp_path, monkeypatch, request):
    """``https_receiver(certificate_name)``: a local HTTPS receiver the client trusts."""
    ca = _certificate_authority()
    ca_pem = ca[1].public_bytes(serialization.Encoding.PEM).decode()
    monkeypatch.setattr(transport, "tls_context", lambda: ssl.create_default_context(cadata=ca_pem))
    servers = []

    def make(hostname: str):
        seen: list[str] = []
        server = Receiver(tls=_server_context(tmp_path, ca, hostname, seen))
        server.sni = seen
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def test_https_is_verified_against_the_hostname_while_connecting_to_the_checked_ip(
    platform, https_receiver, connections, monkeypatch, settings
):
    server = https_receiver(HOST)
    monkeypatch.setattr(addresses, "resolve", Rebinding([PUBLIC], ["127.0.0.1"]))
    delivery = _delivery(platform, f"https://{HOST}:{server.port}/hooks", settings)

    attempt = services.delivery_attempt(delivery_id=delivery.pk)

    assert (attempt.status_code, attempt.error) == (200, "")
    assert connections == [(PUBLIC, server.port)]
    assert server.sni == [HOST]
    assert server.requests[0][0]["Host"] == f"{HOST}:{server.port}"


def test_https_refuses_a_certificate_for_another_name(
    platform, https_receiver, connections, monkeypatch, settings
):
    server = https_receiver("attacker.example.net")
    monkeypatch.setattr(addresses, "resolve", Rebinding([PUBLIC]))
    delivery = _delivery(platform, f"https://{HOST}:{server.port}/hooks", settings)

    attempt = services.delivery_attempt(delivery_id=delivery.pk)

    assert attempt.status_code is None
    assert attempt.error.startswith("SSLError")
    assert server.requests == []


# --- the pieces ------------------------------------------------------------------------------
def test_the_host_header_keeps_the_name_and_a_non_default_port():
    assert Destination("https", HOST, 443, "/", (PUBLIC,)).host_header == HOST
    assert Destination("http", HOST, 8080, "/", (PUBLIC,)).host_header == f"{HOST}:8080"
    assert Destination("http", "::1", 8080, "/", ("::1",)).host_header == "[::1]:8080"


def test_the_real_resolver_returns_each_address_once():
    assert addresses.resolve("127.0.0.1", 80) == ["127.0.0.1"]


def test_a_bad_port_is_an_invalid_url(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    with pytest.raises(services.DomainError) as error:
        addresses.destination(f"http://{HOST}:99999/")
    assert error.value.code == "invalid_url"
