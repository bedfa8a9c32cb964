"""Content-addressed file storage shared by every context that keeps uploaded bytes.

An upload is read once into a temporary file while it is hashed and measured (`spool`); once its
owner has checked it, `ContentStore.store` moves it to `<MEDIA_ROOT>/<area>/ab/cd/<sha256>`.
MEDIA_ROOT is not routed, so bytes are only ever served by a view that checks who is asking, and
each context keeps its own area so that its orphan sweep never touches another context's files.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

CHUNK = 1024 * 1024
HEAD_BYTES = 8192


@dataclass(frozen=True)
class Spooled:
    """An upload's bytes in a temporary file, with their hash, size and first bytes."""

    sha256: str
    size: int
    head: bytes
    temp_path: Path


def spool(stream: IO[bytes], *, limit: int, refuse: Callable[[str], Exception]) -> Spooled:
    """Copy `stream` to a temporary file under MEDIA_ROOT (same filesystem as the store, so the
    final move is atomic), hashing it. Raises `refuse(message)` when it is empty or larger than
    `limit` bytes; the temporary file is removed on any failure."""
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
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                size += len(chunk)
                if size > limit:
                    raise refuse(_("Tệp vượt quá dung lượng cho phép (%(mb)s MB).") % {"mb": limit // (1024 * 1024)})
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise refuse(_("Tệp rỗng. Vui lòng chọn lại tệp."))
        return Spooled(digest.hexdigest(), size, head, temp_path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


def _sync(path: Path) -> None:
    """Flush a file's bytes, or a directory's entries, to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ContentStore:
    """Bytes kept under their SHA-256 in one area of MEDIA_ROOT."""

    def __init__(self, area: str) -> None:
        self.area = area

    @property
    def root(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.area

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def store(self, temp_path: Path, sha256: str) -> bool:
        """Move a checked temporary file into its place. Returns True if this call wrote the
        bytes (False when identical bytes were already stored)."""
        target = self.path_for(sha256)
        if target.exists():
            temp_path.unlink(missing_ok=True)
            return False
        # The caller commits a row naming these bytes right after: after a power failure that row
        # must not name a file the disk never got. So the bytes reach the disk before their name,
        # and the name (with any directory made for it) before this returns.
        _sync(temp_path)
        made = [directory for directory in (target.parent.parent, target.parent) if not directory.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp_path, target)  # atomic on one filesystem
        for directory in {target.parent, *(made_in.parent for made_in in made)}:
            _sync(directory)
        return True

    def discard(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def open(self, sha256: str) -> IO[bytes]:
        return self.path_for(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()
