"""Pack a case file and sign it; check a packed one.

The archive is a zip. ``SHA256SUMS`` lists every other member in ``sha256sum`` format,
``SHA256SUMS.sig`` is the service's Ed25519 signature over it, and ``public_key.pem`` the
key that made it, whose SHA-256 must equal the key id the service publishes. So a change
to any file breaks its sum, and a change to the sums breaks the signature; both are found
with standard tools (README.txt in the archive):

    sha256sum -c SHA256SUMS
    openssl pkeyutl -verify -pubin -inkey public_key.pem -rawin \\
        -in SHA256SUMS -sigfile SHA256SUMS.sig
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from . import signing

SUMS = "SHA256SUMS"
SIGNATURE = "SHA256SUMS.sig"
PUBLIC_KEY = "public_key.pem"
README = """Tianping case file {reference}

Check it (run in the folder the archive was unpacked to):

  sha256sum -c SHA256SUMS
  openssl pkeyutl -verify -pubin -inkey public_key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig

Both must succeed. Then make sure public_key.pem is Tianping's: its SHA-256
(sha256sum public_key.pem) must be the key id the service publishes,
{key_id}
(GET /api/v1/dossier-key, or the console's case file page).
"""


def pack(files: dict[str, bytes], *, reference: str) -> bytes:
    """A signed zip of ``files`` (archive path → bytes)."""
    key_pem = signing.public_key_pem()
    members = {
        **files,
        PUBLIC_KEY: key_pem,
        "README.txt": README.format(reference=reference, key_id=signing.key_id()).encode(),
    }
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, data in sorted(members.items())
    ).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(members.items()):
            archive.writestr(path, data)
        archive.writestr(SUMS, sums)
        archive.writestr(SIGNATURE, signing.signing_key().sign(sums))
    return buf.getvalue()


@dataclass(frozen=True)
class Verification:
    ok: bool
    problems: tuple[str, ...]
    key_id: str | None


def verify(data: bytes, *, expected_key_id: str | None = None) -> Verification:
    """Check a packed archive: every listed sum, no unlisted member, the signature, and the
    key (against ``expected_key_id``, the service's own key by default)."""
    problems = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        sums, signature, key_pem = (archive.read(n) for n in (SUMS, SIGNATURE, PUBLIC_KEY))
    except (zipfile.BadZipFile, KeyError) as exc:
        return Verification(False, (f"not a Tianping case file: {exc}",), None)
    listed = {}
    for line in sums.decode(errors="replace").splitlines():
        digest, _, path = line.partition("  ")
        listed[path] = digest
    for path, digest in sorted(listed.items()):
        if path not in names:
            problems.append(f"{path}: missing")
        elif hashlib.sha256(archive.read(path)).hexdigest() != digest:
            problems.append(f"{path}: changed (SHA-256 differs)")
    for path in sorted(names - set(listed) - {SUMS, SIGNATURE}):
        problems.append(f"{path}: not listed in {SUMS}")
    key_id = hashlib.sha256(key_pem).hexdigest()
    try:
        serialization.load_pem_public_key(key_pem).verify(signature, sums)
    except (InvalidSignature, ValueError, TypeError):
        problems.append(f"{SIGNATURE}: the signature does not match {SUMS}")
    if key_id != (expected_key_id or signing.key_id()):
        problems.append(f"{PUBLIC_KEY}: not the expected signing key")
    return Verification(not problems, tuple(problems), key_id)
