"""The ``Tianping-Signature`` header: ``t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``."""

import hashlib
import hmac


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], timestamp: int, body: bytes) -> str:
    """One ``v1=`` per live secret, so receivers keep verifying while a rotation settles."""
    return ",".join([f"t={timestamp}", *(f"v1={sign(s, timestamp, body)}" for s in secrets)])
