"""A real HTTP receiver on 127.0.0.1 that records what Tianping POSTs, and an endpoint to it."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks import services


class Receiver:
    """Answers every POST with ``status`` and keeps ``(headers, body)`` of each request;
    with ``tls`` (a server-side ``ssl.SSLContext``) it speaks HTTPS."""

    def __init__(self, tls=None):
        self.requests: list[tuple[dict, bytes]] = []
        self.status = 200
        self.reply: bytes | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()
                default = b"ok" if receiver.status < 300 else b"receiver is broken"
                self.wfile.write(receiver.reply or default)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:  # an ssl.SSLContext for the server side
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index][1])


@pytest.fixture(autouse=True)
def _private_urls_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def endpoint(platform, receiver):
    return services.endpoint_create(platform=platform, url=receiver.url)


def verify(header: str, body: bytes, secret: str) -> bool:
    """An independent receiver-side check, written as a platform would from the README."""
    parts = [item.split("=", 1) for item in header.split(",")]
    timestamp = next(value for key, value in parts if key == "t")
    expected = hmac.new(
        secret.encode(), f"{timestamp}.{body.decode()}".encode(), hashlib.sha256
    ).hexdigest()
    return any(key == "v1" and hmac.compare_digest(value, expected) for key, value in parts)
