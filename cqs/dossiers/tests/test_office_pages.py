"""The officials' office pages: each official sees their agency's dossiers and exactly the actions
the services would let them take; a refused action writes nothing; citizens are kept out."""

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cqs.accounts.models import User, UserKind
from cqs.dossiers import services
from cqs.dossiers.lifecycle import State
from cqs.dossiers.models import Dossier, DossierEvent
from cqs.dossiers.tests.conftest import BIRTH_FORM, attach_all, pdf_bytes
from cqs.dossiers.tests.test_tracking_and_receipt import pdf_text
from cqs.org.models import Membership, Role


def actions_on(response) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', response.content.decode()))


@pytest.fixture
def received(submitted, personas):
    return services.dossier_accept(actor=personas.reception, dossier=submitted)


@pytest.fixture
def awaiting_approval(received, personas):
    return services.dossier_forward(actor=personas.specialist, dossier=received)


@pytest.fixture
def elsewhere(catalog, org, personas):
    """A dossier filed at another commune, and that commune's reception officer."""
    draft = services.dossier_create_draft(
        actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_b.code
    )
    attach_all(draft, personas.citizen)
    officer = User.objects.create_user(username="tiepnhan.b", kind=UserKind.OFFICIAL, full_name="Lê Văn Bình")
    Membership.objects.create(user=officer, agency=org.committee_b, role=Role.RECEPTION)
    return services.dossier_submit(actor=personas.citizen, dossier=draft), officer


def test_worklist_shows_my_agencys_dossiers_and_not_another_agencys(client, submitted, elsewhere, personas):
    other, other_officer = elsewhere
    client.force_login(personas.reception)
    for scope in ("reception", "agency"):
        page = client.get("/can-bo/", {"scope": scope}).content.decode()
        assert submitted.code in page and other.code not in page, scope
    client.force_login(other_officer)
    page = client.get("/can-bo/", {"scope": "reception"}).content.decode()
    assert other.code in page and submitted.code not in page


def test_worklist_search_without_accents_and_empty_states(client, submitted, personas):
    client.force_login(personas.reception)
    assert submitted.code in client.get("/can-bo/", {"q": "nguyen thi hong"}).content.decode()
    missing = client.get("/can-bo/", {"q": "khong co ai"}).content.decode()
    assert submitted.code not in missing and "Không có hồ sơ khớp điều kiện tìm kiếm." in missing
    assert "Chưa có hồ sơ nào được giao cho bạn." in client.get("/can-bo/", {"scope": "mine"}).content.decode()


def test_worklist_pages_with_a_cursor(client, catalog, org, personas, monkeypatch):
    from cqs.dossiers import office_views

    codes = set()
    for _ in range(3):
        draft = services.dossier_create_draft(
            actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
        )
        attach_all(draft, personas.citizen)
        codes.add(services.dossier_submit(actor=personas.citizen, dossier=draft).code)
    monkeypatch.setattr(office_views, "PAGE_SIZE", 2)
    client.force_login(personas.reception)
    first = client.get("/can-bo/", {"scope": "reception"}).content.decode()
    next_url = re.search(r'href="(\?[^"]*cursor=[^"]+)">Trang sau', first).group(1).replace("&amp;", "&")
    second = client.get("/can-bo/" + next_url).content.decode()

    def in_page_order(html: str) -> list[str]:
        return sorted((c for c in codes if c in html), key=html.index)

    # first come, first served: the order of submission (the codes' sequence), across pages
    assert in_page_order(first) + in_page_order(second) == sorted(codes)
    assert "Trang sau" not in second and "Về trang đầu" in second
    damaged = client.get("/can-bo/", {"scope": "reception", "cursor": "không-phải-con-trỏ"})
    assert damaged.status_code == 200 and "Con trỏ phân trang không hợp lệ." in damaged.content.decode()


def test_reception_is_offered_exactly_the_reception_actions(client, submitted, personas):
    client.force_login(personas.reception)
    response = client.get(f"/can-bo/ho-so/{submitted.code}/")
    assert response.status_code == 200
    assert actions_on(response) == {"accept", "request_supplement", "refuse"}
    page = response.content.decode()
    assert submitted.applicant_email in page and "Họ và tên trẻ" in page and "Nguyễn Minh Khang" in page


def test_a_specialist_is_offered_no_approval_and_the_leader_is(client, awaiting_approval, personas):
    client.force_login(personas.specialist)
    offered = actions_on(client.get(f"/can-bo/ho-so/{awaiting_approval.code}/"))
    assert "approve" not in offered and "reject" not in offered and "send_back" in offered
    client.force_login(personas.leader)
    offered = actions_on(client.get(f"/can-bo/ho-so/{awaiting_approval.code}/"))
    assert {"approve", "reject", "apologize", "stop"} <= offered
    client.force_login(personas.reception)
    assert actions_on(client.get(f"/can-bo/ho-so/{awaiting_approval.code}/")) == set()


def test_the_last_step_is_not_offered_a_forward(client, awaiting_approval, personas):
    client.force_login(personas.leader)
    assert "forward" not in actions_on(client.get(f"/can-bo/ho-so/{awaiting_approval.code}/"))


def test_accepting_on_the_page_receives_the_dossier(client, submitted, personas):
    client.force_login(personas.reception)
    response = client.post(f"/can-bo/ho-so/{submitted.code}/", {"action": "accept", "note": "Đủ giấy tờ"})
    assert response.status_code == 302 and response["Location"] == f"/can-bo/ho-so/{submitted.code}/"
    submitted.refresh_from_db()
    assert submitted.status == State.RECEIVED and submitted.due_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Đã tiếp nhận hồ sơ." in page and "Mẫu 06" in page


@pytest.mark.parametrize(
    ("who", "action"), [("specialist", "approve"), ("reception", "approve"), ("reception", "forward")]
)
def test_a_forbidden_action_is_refused_and_writes_nothing(client, awaiting_approval, personas, who, action):
    before = (awaiting_approval.status, DossierEvent.objects.count(), awaiting_approval.current_step_id)
    client.force_login(getattr(personas, who))
    response = client.post(f"/can-bo/ho-so/{awaiting_approval.code}/", {"action": action, "note": "x"})
    assert response.status_code in (403, 409)
    assert "Chưa thực hiện được thao tác." in response.content.decode()
    awaiting_approval.refresh_from_db()
    assert (awaiting_approval.status, DossierEvent.objects.count(), awaiting_approval.current_step_id) == before


def test_an_action_from_a_state_that_does_not_allow_it_is_refused(client, submitted, personas):
    client.force_login(personas.leader)
    response = client.post(f"/can-bo/ho-so/{submitted.code}/", {"action": "approve"})
    assert response.status_code in (403, 409)
    submitted.refresh_from_db()
    assert submitted.status == State.SUBMITTED


def test_a_supplement_request_lists_items_and_a_missing_reason_is_shown_by_its_form(client, submitted, personas):
    client.force_login(personas.reception)
    url = f"/can-bo/ho-so/{submitted.code}/"
    empty = client.post(url, {"action": "request_supplement", "item_requirement": [""], "item_message": [""]})
    assert empty.status_code == 400 and "Liệt kê ít nhất một nội dung cần bổ sung." in empty.content.decode()
    refused = client.post(url, {"action": "refuse", "note": "  "})
    assert refused.status_code == 400 and "Nêu rõ lý do từ chối." in refused.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == State.SUBMITTED
    done = client.post(
        url,
        {
            "action": "request_supplement",
            "item_requirement": ["GCS", "", ""],
            "item_message": ["Giấy chứng sinh bị mờ, nộp lại bản rõ", "Ghi rõ quê quán", ""],
            "note": "Vui lòng bổ sung trong 5 ngày",
        },
    )
    assert done.status_code == 302
    request = submitted.supplement_requests.get()
    assert request.items == [
        {"requirement": "GCS", "message": "Giấy chứng sinh bị mờ, nộp lại bản rõ"},
        {"requirement": None, "message": "Ghi rõ quê quán"},
    ]
    form_02 = client.get(f"/can-bo/ho-so/{submitted.code}/mau-02.pdf").content
    assert form_02.startswith(b"%PDF")
    # each item names the document it is about (GCS is "Giấy chứng sinh" in the sample catalogue)
    text = " ".join(pdf_text(form_02).split())
    assert "Giấy chứng sinh: Giấy chứng sinh bị mờ, nộp lại bản rõ" in text and "Ghi rõ quê quán" in text


def test_processing_to_the_end_on_the_pages(client, received, personas, org):
    url = f"/can-bo/ho-so/{received.code}/"
    client.force_login(personas.specialist)
    assert client.post(url, {"action": "assign", "assignee": personas.specialist.username}).status_code == 302
    assert received.code in client.get("/can-bo/", {"scope": "mine"}).content.decode()
    assert client.post(url, {"action": "forward", "note": "Hợp lệ"}).status_code == 302
    client.force_login(personas.leader)
    assert client.post(url, {"action": "approve"}).status_code == 302
    client.force_login(personas.specialist)
    no_file = client.post(url, {"action": "record_result"})
    assert no_file.status_code == 400 and "Chọn tệp kết quả" in no_file.content.decode()
    assert no_file.content.decode().count("Chọn tệp kết quả") == 1  # said once, where it is fixed
    upload = io.BytesIO(pdf_bytes(5000))
    upload.name = "trich-luc.pdf"
    assert client.post(url, {"action": "record_result", "result": upload}).status_code == 302
    assert client.get(f"/can-bo/ho-so/{received.code}/ket-qua/").status_code == 200
    client.force_login(personas.reception)
    # 2 copies × 8,000 đ not yet recorded as paid: the page and the return form say so
    page = client.get(url).content.decode()
    assert 'data-testid="fee-unpaid"' in page and "Chưa ghi nhận thanh toán" in page
    assert client.post(url, {"action": "return_result", "note": "Trả trực tuyến"}).status_code == 302
    received.refresh_from_db()
    assert received.status == State.RETURNED and received.national_status == 10

    # The applicant downloads the result and rates the service, once.
    client.force_login(personas.citizen)
    page = client.get(f"/ho-so/{received.code}/").content.decode()
    assert "Tải kết quả" in page and "Gửi đánh giá" in page
    download = client.get(f"/ho-so/{received.code}/ket-qua/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.post(f"/ho-so/{received.code}/", {"action": "rate"}).status_code == 400
    rated = client.post(f"/ho-so/{received.code}/", {"action": "rate", "rating": "satisfied", "comment": "Nhanh"})
    assert rated.status_code == 302
    received.refresh_from_db()
    assert received.rating == "satisfied" and received.rating_comment == "Nhanh"
    page = client.get(f"/ho-so/{received.code}/").content.decode()
    assert "Gửi đánh giá" not in page and "Bạn đã đánh giá" in page


def test_transfer_and_apology_on_the_pages(client, received, personas, org):
    url = f"/can-bo/ho-so/{received.code}/"
    client.force_login(personas.leader)
    new_due = timezone.localtime(received.due_at + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"action": "apologize", "new_due_at": new_due, "note": "Chờ xác minh"}).status_code == 302
    received.refresh_from_db()
    assert (
        received.original_due_at is not None
        and timezone.localtime(received.due_at).strftime("%Y-%m-%dT%H:%M") == new_due
    )
    page = client.get(url)
    assert "apologize" not in actions_on(page) and "Mẫu 04" in page.content.decode()
    assert client.get(f"/can-bo/ho-so/{received.code}/mau-04.pdf").content.startswith(b"%PDF")
    assert client.post(url, {"action": "transfer", "agency": org.justice.code, "note": "Xin ý kiến"}).status_code == 302
    received.refresh_from_db()
    assert received.status == State.AT_OTHER_AGENCY and received.current_agency == org.justice
    # The commune's officials no longer hold it.
    assert actions_on(client.get(url)) == set()


def test_documents_and_forms_are_served_to_officials(client, received, personas):
    client.force_login(personas.specialist)
    document = received.documents.filter(is_current=True).first()
    response = client.get(f"/can-bo/ho-so/{received.code}/tai-lieu/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(f"/can-bo/ho-so/{received.code}/giay-tiep-nhan.pdf").content.startswith(b"%PDF")
    assert client.get(f"/can-bo/ho-so/{received.code}/mau-06.pdf").content.startswith(b"%PDF")
    assert client.get(f"/can-bo/ho-so/{received.code}/mau-03.pdf").status_code == 404
    assert client.get(f"/can-bo/ho-so/{received.code}/mau-05.pdf").status_code == 404
    client.force_login(personas.dept_specialist)  # another agency's official
    assert client.get(f"/can-bo/ho-so/{received.code}/").status_code == 404
    assert client.get(f"/can-bo/ho-so/{received.code}/tai-lieu/{document.pk}/").status_code == 404


def test_a_citizen_gets_403_on_every_office_page(client, received, personas):
    document = received.documents.filter(is_current=True).first()
    urls = [
        "/can-bo/",
        f"/can-bo/ho-so/{received.code}/",
        f"/can-bo/ho-so/{received.code}/tai-lieu/{document.pk}/",
        f"/can-bo/ho-so/{received.code}/giay-tiep-nhan.pdf",
        f"/can-bo/ho-so/{received.code}/mau-06.pdf",
        f"/can-bo/ho-so/{received.code}/ket-qua/",
        "/can-bo/so-theo-doi/",
    ]
    for url in urls:
        assert client.get(url).status_code == 302, url  # not signed in: to the sign-in page
    client.force_login(personas.citizen)
    for url in urls:
        assert client.get(url).status_code == 403, url
    before = DossierEvent.objects.count()
    assert client.post(f"/can-bo/ho-so/{received.code}/", {"action": "forward"}).status_code == 403
    assert DossierEvent.objects.count() == before
    assert "/can-bo/" not in client.get("/").content.decode()


def test_the_office_link_is_shown_to_officials(client, personas):
    client.force_login(personas.reception)
    assert 'href="/can-bo/"' in client.get("/").content.decode()


def test_the_tracking_register_downloads_for_my_agency_only(client, received, personas, org):
    today = timezone.localdate().isoformat()
    client.force_login(personas.reception)
    form = client.get("/can-bo/so-theo-doi/")
    assert form.status_code == 200 and org.desk_a.code in form.content.decode()
    xlsx = client.get("/can-bo/so-theo-doi/", {"agency": org.desk_a.code, "start": today, "end": today})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    refused = client.get("/can-bo/so-theo-doi/", {"agency": org.committee_b.code, "start": today, "end": today})
    assert refused.status_code == 403 and "Bạn không có quyền xem sổ theo dõi" in refused.content.decode()
    backwards = client.get("/can-bo/so-theo-doi/", {"agency": org.desk_a.code, "start": today, "end": "2020-01-01"})
    assert backwards.status_code == 400
    assert Dossier.objects.count() == 1


def test_the_pages_read_a_bounded_number_of_queries(client, received, catalog, org, personas):
    client.force_login(personas.leader)
    with CaptureQueriesContext(connection) as one:
        client.get("/can-bo/")
    for _ in range(4):
        draft = services.dossier_create_draft(
            actor=personas.citizen, procedure_code="1.001193", form=BIRTH_FORM, agency_code=org.committee_a.code
        )
        attach_all(draft, personas.citizen)
        services.dossier_accept(
            actor=personas.reception, dossier=services.dossier_submit(actor=personas.citizen, dossier=draft)
        )
    with CaptureQueriesContext(connection) as five:
        page = client.get("/can-bo/").content.decode()
    assert page.count('href="/can-bo/ho-so/') == 5
    assert len(five.captured_queries) == len(one.captured_queries)  # no query per row
    with CaptureQueriesContext(connection) as detail:
        assert client.get(f"/can-bo/ho-so/{received.code}/").status_code == 200
    assert len(detail.captured_queries) <= 30


def test_a_recorded_payment_is_shown_with_its_moment(client, received, personas):
    services.dossier_request_payment(actor=personas.specialist, dossier=received)
    services.dossier_record_payment(actor=personas.reception, dossier=received, online=True)
    client.force_login(personas.reception)

    page = client.get(f"/can-bo/ho-so/{received.code}/").content.decode()

    assert re.search(r"Đã ghi nhận thanh toán \d\d:\d\d \d\d/\d\d/\d{4} \(trực tuyến\)", page)
    assert 'data-testid="fee-unpaid"' not in page


@pytest.mark.parametrize(
    "query",
    ["0001", "1", "1.001193", "dang ky khai sinh", "Đăng ký khai sinh", "nguyen thi hong"],
)
def test_the_worklist_finds_a_dossier_the_ways_the_desk_asks_for_it(client, submitted, personas, query):
    client.force_login(personas.reception)

    page = client.get("/can-bo/", {"q": query}).content.decode()

    assert submitted.code in page


@pytest.mark.parametrize("query", ["0002", "1.000656", "dang ky khai tu"])
def test_the_worklist_search_leaves_out_what_does_not_match(client, submitted, personas, query):
    client.force_login(personas.reception)

    assert submitted.code not in client.get("/can-bo/", {"q": query}).content.decode()


def test_an_official_with_nothing_to_do_is_told_who_acts_next(client, awaiting_approval, personas):
    services.dossier_decide(actor=personas.leader, dossier=awaiting_approval, approve=True)
    client.force_login(personas.reception)

    page = client.get(f"/can-bo/ho-so/{awaiting_approval.code}/").content.decode()

    assert "Việc tiếp theo:" in page and "do chuyên viên xử lý thực hiện" in page
