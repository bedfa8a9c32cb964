"""Running the task queue's worker in-process: `drain()` processes every job due now and returns
(the test suite and one-off maintenance use it; production runs `manage.py procrastinate worker`)."""

from __future__ import annotations

from procrastinate.contrib.django import app


def drain(queues: list[str] | None = None) -> None:
    """Run a worker until the queue is empty, on its own psycopg connection (like the real worker)."""
    with app.replace_connector(app.connector.get_worker_connector()):  # type: ignore[attr-defined]
        app.run_worker(queues=queues, wait=False, install_signal_handlers=False, listen_notify=False)
