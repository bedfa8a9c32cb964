"""Jobs of the open-data context: periodic refreshes, the validation of uploaded tables, the
tables of deleted resources and the nightly sweep of files nothing uses any more."""

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


@app.task(queue="opendata", pass_context=False)
def validate_resource(resource_id: str, sha256: str) -> None:
    """Validate an uploaded table and load it into the DataStore ("kiểm tra và nạp dữ liệu").
    Deferred inside the upload's transaction, so it only runs once the upload has committed."""
    from cqs.opendata.datastore import validate_and_load

    close_old_connections()
    try:
        state = validate_and_load(resource_id, sha256)
        logger.info("resource %s: %s", resource_id, state)
    finally:
        close_old_connections()


@app.task(queue="opendata", pass_context=False)
def drop_resource_table(resource_id: str) -> None:
    """Drop a deleted resource's loaded table. Deferred inside `services.resource_delete`'s
    transaction: it runs once the deletion has committed, and never if it rolled back."""
    from django.db import transaction

    from cqs.opendata.datastore import drop_table

    close_old_connections()
    try:
        with transaction.atomic():
            drop_table(resource_id)
    finally:
        close_old_connections()


@app.periodic(cron="45 2 * * *")
@app.task(queue="maintenance", queueing_lock="opendata.sweep_files", pass_context=False)
def sweep_files(timestamp: int) -> None:
    """Every night at 02:45: delete uploaded files no resource uses any more and older than a
    day (`services.stored_files_sweep`)."""
    from cqs.opendata.services import stored_files_sweep

    close_old_connections()
    try:
        result = stored_files_sweep()
        logger.info("open-data files swept: %s files, %s bytes", result.files, result.bytes)
    finally:
        close_old_connections()
