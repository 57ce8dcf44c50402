"""The signatures by which other programs find a file hidden in a photo's bytes.

Bytes that no program reads as anything are harmless, whatever they are (memory-card slack,
a phone's private records). A payload matters because some reader will find it, so each
signature is listed with where its reader looks for it:

- `MARKUP`, at any offset: a browser or HTML parser that is handed the file runs script
  wherever it sits; content sniffers look at the first bytes of a file.
- `ANYWHERE`, at any offset: RAR and 7z (archivers scan for self-extracting payloads, the
  "rarjpeg"), ZIP (its local and central records; readers also find an archive by its end
  record in the last 64 KB, see `zip_end_record`), PHP (the interpreter runs `<?php` wherever
  it is in an included file), PDF (readers accept a header after leading junk).
- `AT_START`, where appended bytes begin: formats that only work from the first byte of a
  file (gzip, bzip2, xz, zstd, tar, cabinet, OLE2 documents, PE, ELF, Mach-O, Java classes,
  `#!` scripts). That is where `cat photo.jpg payload` puts them and where carving tools and
  a user who renames the file find them.
"""

from __future__ import annotations

import re

MARKUP = re.compile(
    rb"<(?:html|script|svg|body|iframe|object|embed|!doctype\s+html|\?php)\b", re.IGNORECASE
)
ANYWHERE = re.compile(
    rb"Rar!\x1a\x07|7z\xbc\xaf\x27\x1c|PK\x03\x04|PK\x01\x02|PK\x05\x06|(?i:<\?php)|%PDF-"
)
AT_START = re.compile(
    rb"\x1f\x8b\x08|BZh[1-9]1AY&SY|\xfd7zXZ\x00|\x28\xb5\x2f\xfd|MSCF\x00\x00\x00\x00"
    rb"|\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1|MZ|\x7fELF|\xfe\xed\xfa[\xce\xcf]|[\xce\xcf]\xfa\xed\xfe"
    rb"|\xca\xfe\xba\xbe|#!",
    re.DOTALL,
)
TAR_MAGIC_AT = 257  # "ustar" sits inside the first header block, not at its start
ZIP_END_RECORD = b"PK\x05\x06"
ZIP_END_SEARCH = 65535 + 22  # the record and the longest archive comment


def payload_at(data: bytes, pos: int) -> bool:
    """Whether a file that only works from its first byte begins at `pos`."""
    return bool(AT_START.match(data, pos)) or data.startswith(b"ustar", pos + TAR_MAGIC_AT)


def payload_within(data: bytes, start: int, stop: int) -> bool:
    """Whether [start, stop) holds a signature its reader finds at any offset."""
    return ANYWHERE.search(data, start, stop) is not None


def zip_end_record(data: bytes) -> bool:
    """Whether the file ends like a ZIP archive, which makes it one to every ZIP reader."""
    return ZIP_END_RECORD in data[-ZIP_END_SEARCH:]
