"""Periodic jobs of the open-data context, run by the task queue's scheduler."""

from __future__ import annotations

import logging

from django.db import close_old_connections
from procrastinate.contrib.django import app

from cqs.opendata.feeds import publish_platform_datasets

logger = logging.getLogger(__name__)


@app.periodic(cron="30 2 * * *")
@app.task(queue="maintenance", queueing_lock="opendata.publish_platform", pass_context=False)
def publish_platform(timestamp: int) -> None:
    """Every night at 02:30: refresh the platform's own datasets (procedure catalogue, monthly
    dossier statistics); unchanged ones are left as they are."""
    close_old_connections()
    try:
        outcomes = publish_platform_datasets()
        logger.info("platform datasets: %s", outcomes)
    finally:
        close_old_connections()
