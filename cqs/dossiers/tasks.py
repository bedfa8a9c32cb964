"""Periodic jobs of the dossiers context, run by the task queue's scheduler."""

from __future__ import annotations

import logging

from django.db import close_old_connections
from procrastinate.contrib.django import app

from cqs.dossiers.services import dossiers_mark_overdue

logger = logging.getLogger(__name__)


@app.periodic(cron="*/15 * * * *")
@app.task(queue="maintenance", queueing_lock="dossiers.mark_overdue", pass_context=False)
def mark_overdue(timestamp: int) -> None:
    """Every 15 minutes: flag dossiers past their appointment and remind whoever holds them."""
    close_old_connections()
    try:
        flagged = dossiers_mark_overdue()
        if flagged:
            logger.info("%s dossiers became overdue", flagged)
    finally:
        close_old_connections()
