"""Sizing the embedded PostgreSQL server to the machine it runs on."""

from cqs.core.embedded_db import _normal, machine_settings

GB = 1024**3


def test_shared_buffers_take_a_sixth_of_memory_capped_at_4_gb():
    assert machine_settings(6 * GB)["shared_buffers"] == "1024MB"
    assert machine_settings(64 * GB)["shared_buffers"] == "4096MB"
    assert machine_settings(512 * 1024**2)["shared_buffers"] == "128MB"


def test_checkpoints_are_spaced_for_bulk_loads():
    settings = machine_settings(8 * GB)
    assert settings["max_wal_size"] == "8GB" and settings["checkpoint_timeout"] == "15min"


def test_settings_compare_by_size_not_by_spelling():
    assert _normal("4GB") == _normal("4096MB")
    assert _normal("15min") == "15min"
