import datetime as dt

import pytest

from cqs.calendar.services import calendar_override_remove, calendar_override_set
from cqs.core.errors import PermissionRefused


def deadline(client, **params):
    response = client.get("/api/v1/calendar/deadline", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_deadline_in_working_days_skips_weekend_and_holidays(client, db):
    # Wed 29 Apr 2026 09:00 + 3 working days: 30/4, 1/5 and the weekend are off.
    body = deadline(client, start="2026-04-29T09:00:00+07:00", working_days=3)
    assert body == {
        "start": "2026-04-29T09:00:00+07:00",
        "effective_start": "2026-04-29T09:00:00+07:00",
        "deadline": "2026-05-06T09:00:00+07:00",
        "duration": {"unit": "working_days", "value": 3},
    }


def test_after_hours_reception_counts_from_next_opening(client, db):
    body = deadline(client, start="2026-08-21T18:00:00+07:00", working_hours="4")
    # Friday evening -> Saturday 22 Aug 2026 is a working Saturday.
    assert body["effective_start"] == "2026-08-22T07:00:00+07:00"
    assert body["deadline"] == "2026-08-22T11:00:00+07:00"


def test_start_in_utc_is_answered_in_vietnam_time(client, db):
    body = deadline(client, start="2026-08-28T05:00:00Z", working_hours="1.5")
    assert body["start"] == "2026-08-28T12:00:00+07:00"
    assert body["effective_start"] == "2026-08-28T13:30:00+07:00"
    assert body["deadline"] == "2026-08-28T15:00:00+07:00"


def test_unencoded_plus_in_offset_is_understood(client, db):
    response = client.get("/api/v1/calendar/deadline?start=2026-08-28T08:00:00+07:00&working_hours=1")
    assert response.json()["deadline"] == "2026-08-28T09:00:00+07:00"


def test_calendar_days_never_end_on_a_day_off(client, db):
    # Fri 28 Aug 2026 + 3 calendar days = Mon 31 Aug (swapped day off) -> 1, 2 Sep holidays -> Thu 3 Sep.
    body = deadline(client, start="2026-08-28T08:00:00+07:00", calendar_days=3)
    assert body["deadline"] == "2026-09-03T08:00:00+07:00"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"start": "2026-08-28T08:00:00", "working_days": 1}, "start"),
        ({"start": "hôm nay", "working_days": 1}, "start"),
        ({"start": "2026-08-28T08:00:00+07:00"}, "working_days"),
        ({"start": "2026-08-28T08:00:00+07:00", "working_days": 1, "calendar_days": 1}, "working_days"),
        ({"start": "2026-08-28T08:00:00+07:00", "working_days": -1}, "working_days"),
        ({"start": "2026-08-28T08:00:00+07:00", "working_hours": "abc"}, "working_hours"),
        ({"working_days": 1}, "start"),
    ],
)
def test_bad_deadline_parameters_get_400_naming_the_parameter(client, db, params, parameter):
    response = client.get("/api/v1/calendar/deadline", params)
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["parameter"] == parameter


def test_days_lists_reasons(client, db):
    response = client.get("/api/v1/calendar/days", {"from": "2026-08-21", "to": "2026-09-03"})
    days = {d["date"]: d for d in response.json()}
    assert days["2026-08-22"]["working"] and days["2026-08-22"]["reason"] == "working_saturday"
    assert not days["2026-08-23"]["working"] and days["2026-08-23"]["reason"] == "weekend"
    assert not days["2026-08-31"]["working"] and days["2026-08-31"]["reason"] == "swapped_day_off"
    assert days["2026-09-02"]["reason"] == "holiday" and days["2026-09-02"]["label"]
    assert days["2026-09-03"]["working"] and days["2026-09-03"]["reason"] == "workday"


def test_bad_days_parameters(client, db):
    assert client.get("/api/v1/calendar/days", {"from": "2026-09-03", "to": "2026-08-01"}).status_code == 400
    assert client.get("/api/v1/calendar/days", {"from": "2020-01-01", "to": "2026-08-01"}).status_code == 400
    response = client.get("/api/v1/calendar/days", {"from": "03/09/2026", "to": "2026-09-10"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["parameter"] == "from"


def test_override_changes_deadlines_and_is_audited(client, personas):
    from cqs.audit.models import AuditEvent

    calendar_override_set(
        actor=personas.system_admin,
        day=dt.date(2026, 9, 3),
        working=False,
        reason="Nghỉ do bão",
        source_document="Quyết định 123/QĐ-UBND",
    )
    body = deadline(client, start="2026-08-28T08:00:00+07:00", calendar_days=3)
    assert body["deadline"] == "2026-09-04T08:00:00+07:00"
    days = client.get("/api/v1/calendar/days", {"from": "2026-09-03", "to": "2026-09-03"}).json()
    assert days[0] == {"date": "2026-09-03", "working": False, "reason": "override_day_off", "label": "Nghỉ do bão"}
    event = AuditEvent.objects.filter(object_type="calendar.calendaroverride").get()
    assert event.after["source_document"] == "Quyết định 123/QĐ-UBND"
    calendar_override_remove(actor=personas.system_admin, override=event_override(dt.date(2026, 9, 3)))
    assert deadline(client, start="2026-08-28T08:00:00+07:00", calendar_days=3)["deadline"].startswith("2026-09-03")


def event_override(day):
    from cqs.calendar.models import CalendarOverride

    return CalendarOverride.objects.get(day=day)


def test_only_system_administrators_override_the_calendar(personas):
    for user in (personas.agency_admin, personas.leader, personas.citizen):
        with pytest.raises(PermissionRefused):
            calendar_override_set(actor=user, day=dt.date(2026, 9, 3), working=False, reason="x", source_document="y")
