"""One webhook POST, sent to exactly the addresses the SSRF guard checked.

``requests`` would look the name up again when connecting, so a DNS answer changed after the
check (DNS rebinding) could reach a private address. Here a urllib3 pool is pointed at the
checked IP itself, and the URL's name is kept for the Host header, TLS SNI and the
certificate check. Environment proxies are not used: a proxy would resolve the name again.
"""

import ssl
from dataclasses import dataclass

from requests import certs
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, Timeout
from urllib3 import exceptions as errors

from .addresses import Destination

# Failures to reach one address: the next checked address of the name may still answer.
UNREACHABLE = (errors.NewConnectionError, errors.ConnectTimeoutError)


@dataclass(frozen=True)
class Reply:
    status: int | None
    excerpt: str
    error: str


def tls_context() -> ssl.SSLContext:
    """Verify receivers against the same CA bundle ``requests`` uses (certifi)."""
    return ssl.create_default_context(cafile=certs.where())


def _pool(destination: Destination, address: str, timeout: float) -> HTTPConnectionPool:
    options = {
        "port": destination.port,
        "timeout": Timeout(connect=timeout, read=timeout),
        "retries": False,
        "maxsize": 1,
    }
    if destination.scheme == "https":
        # server_hostname: SNI, and the name the context's check_hostname verifies.
        return HTTPSConnectionPool(
            address, ssl_context=tls_context(), server_hostname=destination.host, **options
        )
    return HTTPConnectionPool(address, **options)


def _describe(exc: Exception) -> str:
    # NewConnectionError subclasses urllib3's TimeoutError, so it is asked about first.
    if isinstance(exc, errors.SSLError):
        label = "SSLError"
    elif isinstance(exc, errors.NewConnectionError | errors.ProtocolError):
        label = "ConnectionError"
    elif isinstance(exc, errors.TimeoutError):
        label = "Timeout"
    elif isinstance(exc, OSError):
        label = "ConnectionError"
    else:
        label = type(exc).__name__
    return f"{label}: {exc}"


def post(
    destination: Destination, body: bytes, headers: dict, *, timeout: float, excerpt: int
) -> Reply:
    """POST ``body``; only the start of the answer is read, however much the receiver sends."""
    headers = {**headers, "Host": destination.host_header}
    error = ""
    for address in destination.addresses:
        pool = _pool(destination, address, timeout)
        try:
            response = pool.urlopen(
                "POST",
                destination.target,
                body=body,
                headers=headers,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
            )
            try:
                head = response.read(excerpt * 4)
            finally:
                response.release_conn()
        except UNREACHABLE as exc:
            error = _describe(exc)[:excerpt]
            continue
        except (errors.HTTPError, OSError) as exc:
            return Reply(None, "", _describe(exc)[:excerpt])
        finally:
            pool.close()
        encoding = get_encoding_from_headers(response.headers) or "utf-8"
        text = head.decode(encoding, errors="replace")[:excerpt]
        return Reply(response.status, text, "")
    return Reply(None, "", error)
