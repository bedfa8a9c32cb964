"""The content store: bytes in place under their hash, durable before the caller commits."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from cqs.core import storage


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def synced(monkeypatch) -> list[Path]:
    """The paths `os.fsync` is called on, in order (the real fsync still runs)."""
    calls: list[Path] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        calls.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    monkeypatch.setattr(storage.os, "fsync", recording_fsync)
    return calls


def spooled(content: bytes) -> storage.Spooled:
    return storage.spool(io.BytesIO(content), limit=1024 * 1024, refuse=ValueError)


def test_stored_bytes_and_every_new_name_reach_the_disk_before_store_returns(media, synced):
    content = b"%PDF-1.4 durable"
    upload = spooled(content)
    store = storage.ContentStore("files")

    assert store.store(upload.temp_path, upload.sha256)

    target = store.path_for(upload.sha256)
    assert target.read_bytes() == content
    assert synced[0] == upload.temp_path  # the bytes, before they get their name
    # the new name's directory, and the directories made for it in theirs
    assert set(synced[1:]) == {target.parent, target.parent.parent, target.parent.parent.parent}


def test_bytes_already_stored_are_not_written_or_synced_again(media, synced):
    content = b"%PDF-1.4 twice"
    store = storage.ContentStore("files")
    first = spooled(content)
    assert store.store(first.temp_path, first.sha256)
    synced.clear()

    second = spooled(content)
    assert not store.store(second.temp_path, second.sha256)

    assert synced == []
    assert not second.temp_path.exists()
    assert store.path_for(hashlib.sha256(content).hexdigest()).read_bytes() == content


def test_a_name_in_existing_directories_syncs_only_its_own_directory(media, synced):
    store = storage.ContentStore("files")
    first = spooled(b"%PDF-1.4 first")
    store.store(first.temp_path, first.sha256)
    second = spooled(b"%PDF-1.4 second")
    synced.clear()

    # Under a name in the first one's ab/cd directory, so no directory is made for it.
    store.store(second.temp_path, first.sha256[:4] + "0" * 60)

    assert synced == [second.temp_path, store.path_for(first.sha256).parent]
