"""Every computed indicator on a small province built with the real services at fixed moments,
the right answers worked out by hand below.

Monday 2 November 2026, office hours 07:00–11:30 and 13:30–17:00 (8 working hours a day).
Birth registration: 1 working day, full online, electronic result, 8,000 đ per extract copy.

  A online  accept 09:00 · payment requested 14:00, paid online 14:30 · result 15:00
            processing 09:00→15:00 = 4 h − 0.5 h paused = 3.5 h · due Tue 09:30 → on time · rated satisfied
  B online  accept 09:00 · supplement requested 10:00, supplied, accepted again Tue 09:00 (7 h paused)
            result Tue 10:00: 9 h − 7 h = 2 h · due moved to Wed 08:00 → on time (one request) · rated unsatisfied
  C online  two supplement requests (09:30→10:00, 10:30→11:00), result 11:00: 2 h − 1 h = 1 h
            finished before the appointment but more than one request → late · no fee
  D counter submitted, not yet received
  E online  accept 09:00 · result Wed 09:00: 6 + 8 + 2 = 16 h · due Tue 09:00 → late · no fee

Filed 5, online 4 → 80 %. Finished 4, on time 2 → 50 %. Average (3.5 + 2 + 1 + 16) ÷ 4 = 5.625 h
= 0.70 working days. With a fee: A, B; paid online: A → 50 %. Electronic results 4/4 → 100 %.
Ratings: 1 satisfied of 2 → 50 %. 766 satisfaction: 100 % − 2/4 late − 1/4 unsatisfied = 25 %.
Catalogue: birth (full), enterprise (partial), death (none) → online 2/3 = 66.67 %, full 1/2 = 50 %,
fees payable online 1/3 = 33.33 %.
"""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cqs.dossiers import services
from cqs.dossiers.models import Channel
from cqs.dossiers.tests.conftest import attach_all, pdf_bytes
from cqs.scorecard import queries
from cqs.scorecard.indicators import score
from cqs.warehouse.queries import warehouse_differences

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.date(2026, 11, 2)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour, minute), TZ)


class Clock:
    def __init__(self, traveller):
        self.traveller = traveller

    def __call__(self, moment):
        self.traveller.move_to(moment)


def _online(personas, org, copies: int):
    draft = services.dossier_create_draft(
        actor=personas.citizen,
        procedure_code="1.001193",
        form={"ho_ten_tre": "Bé Na", "ngay_sinh": "2026-10-01", "so_ban_sao": copies},
        agency_code=org.committee_a.code,
    )
    attach_all(draft, personas.citizen)
    return services.dossier_submit(actor=personas.citizen, dossier=draft)


def _decide(personas, dossier):
    services.dossier_forward(actor=personas.specialist, dossier=dossier.pk)
    services.dossier_decide(actor=personas.leader, dossier=dossier.pk, approve=True)


def _result(personas, dossier):
    services.dossier_record_result(
        actor=personas.specialist, dossier=dossier.pk, stream=io.BytesIO(pdf_bytes()), filename="kq.pdf"
    )


def _supplement_round(personas, dossier, clock, asked, answered):
    clock(asked)
    services.dossier_request_supplement(actor=personas.specialist, dossier=dossier.pk, items=[{"message": "Bổ sung"}])
    services.dossier_supplement(actor=personas.citizen, dossier=dossier.pk)
    clock(answered)
    services.dossier_accept(actor=personas.reception, dossier=dossier.pk)


@pytest.fixture
def province(catalog, org, personas, plan):
    with time_machine.travel(at(0, 9), tick=False) as traveller:
        clock = Clock(traveller)
        a, b, c, e = (_online(personas, org, copies) for copies in (1, 1, 0, 0))
        counter = services.dossier_create_draft(
            actor=personas.reception,
            procedure_code="1.001193",
            form={"ho_ten_tre": "Bé Tư", "ngay_sinh": "2026-10-01"},
            agency_code=org.committee_a.code,
            channel=Channel.COUNTER,
            applicant_data={"full_name": "Trần Văn Tư", "identity_number": "080123456789"},
        )
        attach_all(counter, personas.reception)
        services.dossier_submit(actor=personas.reception, dossier=counter)
        for dossier in (a, b, c, e):
            services.dossier_accept(actor=personas.reception, dossier=dossier.pk)
        # A: paused 30 minutes for the fee, paid online.
        _decide(personas, a)
        clock(at(0, 14))
        services.dossier_request_payment(actor=personas.specialist, dossier=a.pk)
        clock(at(0, 14, 30))
        services.dossier_record_payment(actor=personas.reception, dossier=a.pk, online=True)
        clock(at(0, 15))
        _result(personas, a)
        services.dossier_return_result(actor=personas.reception, dossier=a.pk)
        services.dossier_rate(actor=personas.citizen, dossier=a.pk, rating="satisfied")
        # B: one supplement, 7 working hours paused.
        _supplement_round(personas, b, clock, at(0, 10), at(1, 9))
        clock(at(1, 10))
        _decide(personas, b)
        _result(personas, b)
        services.dossier_return_result(actor=personas.reception, dossier=b.pk)
        services.dossier_rate(actor=personas.citizen, dossier=b.pk, rating="unsatisfied")
        # C: two supplement requests.
        clock(at(0, 9))
        _supplement_round(personas, c, clock, at(0, 9, 30), at(0, 10))
        _supplement_round(personas, c, clock, at(0, 10, 30), at(0, 11))
        _decide(personas, c)
        _result(personas, c)
        # E: finished after the appointment.
        clock(at(2, 9))
        _decide(personas, e)
        _result(personas, e)
    return {"a": a, "b": b, "c": c, "e": e}


NOVEMBER = "2026-11"


def value(indicator, unit=None, period=NOVEMBER):
    return queries.indicator_value(
        indicator=indicator, period=queries.parse_period(period), unit=queries.parse_unit(unit)
    )


@pytest.mark.django_db
def test_every_indicator_on_the_hand_built_province(province):
    assert warehouse_differences() == []
    assert value("dossiers_online") == Decimal("80.00")
    assert value("on_time") == Decimal("50.00")
    assert value("processing_days") == Decimal("0.70")
    assert value("paid_online") == Decimal("50.00")
    assert value("electronic_results") == Decimal("100.00")
    assert value("online_electronic") == Decimal("100.00")
    assert value("satisfaction") == Decimal("50.00")
    assert value("satisfaction_766") == Decimal("25.00")
    assert value("processing_within_statutory") == Decimal("100.00")
    assert value("procedures_online") == Decimal("66.67")
    assert value("procedures_full_online") == Decimal("50.00")
    assert value("procedures_fees_online") == Decimal("33.33")
    assert value("work_records_online") is None


@pytest.mark.django_db
def test_supplement_time_is_excluded_from_processing_time(province):
    from cqs.dossiers.models import Dossier

    b = Dossier.objects.get(pk=province["b"].pk)
    assert b.processing_time == dt.timedelta(hours=2)
    assert b.due_at == at(2, 8)
    a = Dossier.objects.get(pk=province["a"].pk)
    assert a.processing_time == dt.timedelta(hours=3, minutes=30)


@pytest.mark.django_db
def test_more_than_one_supplement_request_counts_late(province):
    from cqs.warehouse.models import DossierFact

    c = DossierFact.objects.get(dossier_id=province["c"].pk)
    assert c.finished_at <= c.due_at
    assert c.supplement_rounds == 2
    assert c.on_time is False


@pytest.mark.django_db
def test_levels_agencies_and_other_months(province, org):
    assert value("dossiers_online", "level:commune") == Decimal("80.00")
    assert value("dossiers_online", "level:province") is None
    assert value("on_time", org.committee_a.code) == Decimal("50.00")  # the desk's dossiers count for it
    assert value("on_time", period="2026-10") is None
    assert value("on_time", period="2026-Q4") == Decimal("50.00")
    rows = queries.breakdown(indicator="on_time", period=queries.parse_period(NOVEMBER), by="agency")
    assert [(r.unit_code, r.value, r.numerator, r.denominator) for r in rows] == [
        (org.committee_a.code, Decimal("50.00"), Decimal(2), Decimal(4))
    ]
    trend = queries.trend(
        indicator="ho-so-truc-tuyen", unit=queries.parse_unit(None), end=queries.parse_period("2026-Q4")
    )
    assert trend[-2:] == [("2026-11", Decimal("80.00")), ("2026-12", None)]
    times = queries.procedure_times(period=queries.parse_period(NOVEMBER), unit=queries.parse_unit(None))
    assert [(t.code, t.finished, t.average_days, t.statutory_days) for t in times] == [
        ("1.001193", 4, Decimal("0.70"), Decimal("1.00"))
    ]
    assert times == queries.procedure_times(
        period=queries.parse_period(NOVEMBER), unit=queries.parse_unit(org.committee_a.code)
    )
    baseline = queries.plain_group_by(period=queries.parse_period(NOVEMBER))
    assert baseline == queries.headline(period=queries.parse_period(NOVEMBER))


def test_thresholds_and_pro_rata_scores():
    assert score(Decimal("80"), weight=Decimal(6), threshold=Decimal(80)) == Decimal("6.00")
    assert score(Decimal("95"), weight=Decimal(6), threshold=Decimal(80)) == Decimal("6.00")
    assert score(Decimal("40"), weight=Decimal(6), threshold=Decimal(80)) == Decimal("3.00")
    assert score(Decimal("25"), weight=Decimal(18), threshold=Decimal(90)) == Decimal("5.00")
    assert score(None, weight=Decimal(6), threshold=Decimal(80)) is None


@pytest.mark.django_db
def test_decision_766_index_of_the_hand_built_province(province):
    index = queries.index766(period=queries.parse_period(NOVEMBER), unit=queries.parse_unit(None))
    scores = {i.code: i.score for g in index.groups for i in g.indicators}
    assert scores == {
        "1.4": None,
        "2.1": Decimal("7.00"),  # 50 % of a 100 % threshold × 14
        "2.2": Decimal("6.00"),
        "3.1": Decimal("5.00"),  # 66.67 × 6 ÷ 80
        "3.3": Decimal("6.00"),
        "4.1": Decimal("6.00"),
        "4.2": None,
        "4.3": None,
        "4.5": None,
        "5.4": Decimal("5.00"),  # 25 × 18 ÷ 90
        "3.5": Decimal("2.08"),  # 33.33 × 5 ÷ 80
        "3.6": Decimal("5.00"),
    }
    assert index.total == Decimal("42.08")
    assert index.maximum == Decimal("66.00")
    assert index.nominal_maximum == Decimal("100.00")
    ranking = queries.index766_by_agency(period=queries.parse_period(NOVEMBER))
    # An agency is scored on its level's catalogue: commune procedures are birth (full) and death
    # (none), so 3.1 = 50 × 6 ÷ 80 = 3.75 and 3.5 = 50 × 5 ÷ 80 = 3.13: 42.08 − 5 − 2.08 + 3.75 + 3.13.
    assert [(agency.code, total) for agency, total in ranking] == [("277.12.00.H53", Decimal("41.88"))]


@pytest.mark.django_db
def test_scorecard_shows_every_target_with_a_value_or_no_data(province):
    card = queries.scorecard(period=queries.parse_period(NOVEMBER), unit=queries.parse_unit(None))
    by_code = {t.code: t for t in card.targets}
    assert len(by_code) == 16
    assert by_code["ho-so-truc-tuyen"].current == Decimal("80.00")
    assert by_code["ho-so-truc-tuyen"].status == "met"
    assert by_code["ho-so-dung-han"].gap == Decimal("50.00")
    assert by_code["ho-so-dung-han"].status == "not_met"
    assert by_code["ho-so-cong-viec-cap-xa"].current is None
    assert by_code["kinh-te-so-grdp"].status == "no_data"
