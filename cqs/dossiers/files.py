"""Uploaded documents: checked by content, stored under their SHA-256, never served by path.

A file is accepted only if its bytes are a PDF, JPEG or PNG, its name's extension agrees with
what the bytes are (a file that lies about its type is refused) and it is within the size limit.
The bytes live at `<MEDIA_ROOT>/files/ab/cd/<sha256>` (`cqs.core.storage`); MEDIA_ROOT is not routed, so a document is
only ever downloaded through a view that checks who is asking.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from cqs.core.errors import ValidationFailed
from cqs.core.storage import ContentStore, spool

ALLOWED = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
}
_STORE = ContentStore("files")


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, spooled to a temporary file."""

    sha256: str
    size: int
    content_type: str
    original_name: str
    temp_path: Path


def sniff(head: bytes) -> str | None:
    """The content type the bytes themselves declare, from their signature."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def max_upload_bytes() -> int:
    return int(getattr(settings, "CQS_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def check_upload(stream: IO[bytes], name: str, field: str = "file") -> CheckedUpload:
    """Read an upload once: hash it, measure it, check its type by content. Refuses with a
    `ValidationFailed` naming `field` and saying what the user can do."""
    name = os.path.basename(name or "")[:200] or "tep"
    spooled = spool(stream, limit=max_upload_bytes(), refuse=lambda message: _refuse(field, message))
    try:
        content_type = sniff(spooled.head)
        if content_type is None:
            raise _refuse(
                field,
                _("Tệp này không phải là tệp PDF, JPEG hoặc PNG hợp lệ. Vui lòng chọn đúng tệp."),
            )
        extension = Path(name).suffix.lower()
        if extension not in ALLOWED[content_type]:
            raise _refuse(
                field,
                _("Nội dung tệp không khớp với tên tệp (%(name)s). Vui lòng nộp đúng tệp PDF, JPEG hoặc PNG.")
                % {"name": name},
            )
        return CheckedUpload(spooled.sha256, spooled.size, content_type, name, spooled.temp_path)
    except BaseException:
        spooled.temp_path.unlink(missing_ok=True)
        raise


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_file", details=[{"field": field, "message": message}])


def path_for(sha256: str) -> Path:
    return _STORE.path_for(sha256)


def store(upload: CheckedUpload) -> bool:
    """Move the checked upload into its content-addressed place. Returns True if this call wrote
    the bytes (False when identical bytes were already stored)."""
    return _STORE.store(upload.temp_path, upload.sha256)


def discard(sha256: str) -> None:
    _STORE.discard(sha256)


def open_stored(sha256: str) -> IO[bytes]:
    return _STORE.open(sha256)


def sweep_orphans(min_age_seconds: int = 3600) -> int:
    """Delete stored bytes no `StoredFile` row refers to (left by a crash between writing the bytes
    and committing), and stale temporary uploads. Run by the periodic maintenance task."""
    import time

    from cqs.dossiers.models import StoredFile

    root = Path(settings.MEDIA_ROOT)
    now = time.time()
    removed = 0
    for path in list((root / "files").glob("*/*/*")) + list((root / "tmp").glob("*")):
        if now - path.stat().st_mtime < min_age_seconds:
            continue
        if path.parent.name != "tmp" and StoredFile.objects.filter(sha256=path.name).exists():
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed
