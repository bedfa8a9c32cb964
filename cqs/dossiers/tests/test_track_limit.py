"""The public lookup's per-address limit is a setting (`CQS_TRACK_LIMIT_PER_ADDRESS`)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import override_settings

# One moment for every lookup: the counting window cannot roll over in the middle of a test.
MOMENT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_tracking_lookups_beyond_the_per_address_limit_are_refused(client, submitted):
    submitted.applicant_identity = "080195012345"
    submitted.save()
    with override_settings(CQS_TRACK_LIMIT_PER_ADDRESS=2), time_machine.travel(MOMENT, tick=False):
        answers = [client.get(f"/api/v1/track/{submitted.code}", {"verify": "2345"}).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_a_raised_limit_lets_one_address_look_up_many_times(client, submitted):
    submitted.applicant_identity = "080195012345"
    submitted.save()
    with override_settings(CQS_TRACK_LIMIT_PER_ADDRESS=1000), time_machine.travel(MOMENT, tick=False):
        answers = {client.get(f"/api/v1/track/{submitted.code}", {"verify": "2345"}).status_code for _ in range(40)}
    assert answers == {200}
