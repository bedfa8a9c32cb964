"""Uploaded documents: checked by content, stored under their SHA-256, never served by path.

A file is accepted only if its bytes are a PDF, JPEG or PNG, its name's extension agrees with
what the bytes are (a file that lies about its type is refused) and it is within the size limit.
The bytes live at `<MEDIA_ROOT>/files/ab/cd/<sha256>`; MEDIA_ROOT is not routed, so a document is
only ever downloaded through a view that checks who is asking.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from cqs.core.errors import ValidationFailed

ALLOWED = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
}
CHUNK = 1024 * 1024


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
    limit = max_upload_bytes()
    digest = hashlib.sha256()
    size = 0
    head = b""
    storage_tmp = Path(settings.MEDIA_ROOT) / "tmp"
    storage_tmp.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=storage_tmp)
    temp_path = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                if not head:
                    head = chunk[:16]
                size += len(chunk)
                if size > limit:
                    raise _refuse(
                        field, _("Tệp vượt quá dung lượng cho phép (%(mb)s MB).") % {"mb": limit // (1024 * 1024)}
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise _refuse(field, _("Tệp rỗng. Vui lòng chọn lại tệp."))
        content_type = sniff(head)
        if content_type is None:
            raise _refuse(field, _("Chỉ nhận tệp PDF, JPEG hoặc PNG."))
        extension = Path(name).suffix.lower()
        if extension not in ALLOWED[content_type]:
            raise _refuse(
                field,
                _("Nội dung tệp không khớp với tên tệp (%(name)s). Vui lòng nộp đúng tệp PDF, JPEG hoặc PNG.")
                % {"name": name},
            )
        return CheckedUpload(digest.hexdigest(), size, content_type, name, temp_path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_file", details=[{"field": field, "message": message}])


def path_for(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "files" / sha256[:2] / sha256[2:4] / sha256


def store(upload: CheckedUpload) -> bool:
    """Move the checked upload into its content-addressed place. Returns True if this call wrote
    the bytes (False when identical bytes were already stored)."""
    target = path_for(upload.sha256)
    if target.exists():
        upload.temp_path.unlink(missing_ok=True)
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(upload.temp_path, target)  # atomic on one filesystem
    return True


def discard(sha256: str) -> None:
    path_for(sha256).unlink(missing_ok=True)


def open_stored(sha256: str) -> IO[bytes]:
    return path_for(sha256).open("rb")


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
