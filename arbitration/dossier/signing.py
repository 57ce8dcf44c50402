"""The service's dossier signing key (Ed25519).

A key from ``DOSSIER_SIGNING_KEY`` (PEM in the environment) is used as it is; otherwise
one is generated once into ``DOSSIER_SIGNING_KEY_FILE`` (mode 0600), like the generated
SECRET_KEY. Keep the file across deployments: archives signed with a lost key can still be
checked against the public key published with them, but no new archive will match it.
"""

import hashlib
import os
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings


def _load(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("The dossier signing key must be an Ed25519 private key.")
    return key


def _generated(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return _load(path.read_bytes())
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
    return _load(path.read_bytes())


@cache
def signing_key() -> Ed25519PrivateKey:
    if settings.DOSSIER_SIGNING_KEY:
        return _load(settings.DOSSIER_SIGNING_KEY.encode())
    return _generated(Path(settings.DOSSIER_SIGNING_KEY_FILE))


def public_key_pem() -> bytes:
    return (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def key_id() -> str:
    """The SHA-256 of the public key's PEM: what the README and the console quote, so a
    verifier can tell the published key from one packed by a forger."""
    return hashlib.sha256(public_key_pem()).hexdigest()
