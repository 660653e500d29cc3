"""Verification codes for documents Hearth issues (portfolios; later, certificates).

The code is a signature: HMAC-SHA256, keyed from SECRET_KEY, over the document's kind and
its canonical content (JSON with sorted keys). The first 100 bits are written as 20
Crockford base32 characters in four groups of five, which a person can type: 0/O and 1/I/L
read the same. Changing the content changes the code, so a database row edited after issue
no longer matches its own code; the PDF's SHA-256 is kept beside it, so a file changed after
issue (even one byte) no longer matches either.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import IssuedDocument

SALT = "hearth.recognition.issued-document"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
CODE_CHARS = 20
GROUP = 5
CODE_PATTERN = r"[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Text is read from the first pages only: the code is in every page's footer.
PAGES_READ = 5


def canonical(content: dict[str, Any]) -> bytes:
    """The bytes that are signed. Floats are refused: not every database's JSON gives them
    back exactly, and a number that comes back different would break the signature."""
    _refuse_floats(content)
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError(f"Write {value!r} as a string: signed content holds no floats.")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def _encode(digest: bytes) -> str:
    number = int.from_bytes(digest[:13], "big") >> (13 * 8 - CODE_CHARS * 5)
    chars = "".join(
        ALPHABET[(number >> (5 * (CODE_CHARS - 1 - i))) & 31] for i in range(CODE_CHARS)
    )
    return "-".join(chars[i : i + GROUP] for i in range(0, CODE_CHARS, GROUP))


def sign(kind: str, content: dict[str, Any], *, secret: str | None = None) -> str:
    """The verification code of this content, for example "7K3QM-0ZC4T-…"."""
    message = kind.encode() + b"\n" + canonical(content)
    digest = salted_hmac(SALT, message, secret=secret, algorithm="sha256").digest()
    return _encode(digest)


def normalize_code(text: str) -> str | None:
    """A code as typed ("7k3qm 0zc4t…", with O for 0) in its printed form; None if it is not one."""
    chars = re.sub(r"[\s\-–—.]", "", text.upper())
    chars = chars.translate(str.maketrans("OIL", "011"))
    if len(chars) != CODE_CHARS or any(c not in ALPHABET for c in chars):
        return None
    return "-".join(chars[i : i + GROUP] for i in range(0, CODE_CHARS, GROUP))


def signature_holds(document: IssuedDocument) -> bool:
    """The stored content still gives the stored code (old keys count during a key rotation)."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    try:
        return any(
            constant_time_compare(sign(document.kind, document.content, secret=s), document.code)
            for s in secrets
        )
    except (TypeError, ValueError):
        return False


def pdf_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_code(data: bytes) -> str | None:
    """The verification code printed in a PDF: from its text, its keywords, or its raw bytes
    (a damaged file may no longer parse, and should still be recognised as changed)."""
    texts: list[str] = []
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        texts += [page.extract_text() or "" for page in reader.pages[:PAGES_READ]]
        if reader.metadata is not None:
            texts.append(str(reader.metadata.get("/Keywords", "")))
    except Exception:  # pypdf raises many kinds of error on a damaged file: read the bytes
        pass
    texts.append(data.decode("latin-1"))
    for text in texts:
        found = re.search(r"[Vv]erification code\s*(" + CODE_PATTERN + ")", text)
        if found:
            return found.group(1)
    return None


@dataclass(frozen=True)
class Verdict:
    """What a check found. `outcome` is one of the constants below."""

    outcome: str
    document: IssuedDocument | None = None

    @property
    def valid(self) -> bool:
        return self.outcome == VALID


VALID = "valid"
NOT_A_CODE = "not-a-code"
UNKNOWN = "unknown"
RECORD_ALTERED = "record-altered"
FILE_CHANGED = "file-changed"
NO_CODE_IN_FILE = "no-code"
NOT_A_PDF = "not-a-pdf"
TOO_LARGE = "too-large"


def verify_code(text: str) -> Verdict:
    """Is this a code Hearth issued, for content that is still as it was signed?"""
    code = normalize_code(text)
    if code is None:
        return Verdict(NOT_A_CODE)
    document = IssuedDocument.objects.select_related("person").filter(code=code).first()
    if document is None:
        return Verdict(UNKNOWN)
    if not signature_holds(document):
        return Verdict(RECORD_ALTERED, document)
    return Verdict(VALID, document)


def verify_pdf(data: bytes) -> Verdict:
    """Is this file, byte for byte, a document Hearth issued?"""
    if len(data) > MAX_UPLOAD_BYTES:
        return Verdict(TOO_LARGE)
    if b"%PDF-" not in data[:1024]:
        return Verdict(NOT_A_PDF)
    code = find_code(data)
    if code is None:
        return Verdict(NO_CODE_IN_FILE)
    verdict = verify_code(code)
    document = verdict.document
    if (
        verdict.valid
        and document is not None
        and not constant_time_compare(pdf_sha256(data), document.pdf_sha256)
    ):
        return Verdict(FILE_CHANGED, document)
    return verdict
