"""Submission throughput: N concurrent clients, each creating a draft, attaching a 200 KB PDF and
submitting, over HTTP against the running server; beside pgbench's TPC-B on the same server."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlparse

from bench import wire
from bench.cpu import CpuMeter
from bench.report import Row, latency_rows

PROCEDURE_CODE = "1.999901"
PASSWORD = "Bench-mat-khau-2026"  # noqa: S105 - throwaway accounts of the benchmark database


def bench_catalog() -> dict:
    """One procedure with one required document, filed at the pilot commune."""
    return {
        "format": "cqs-catalog",
        "format_version": 1,
        "sectors": [{"code": "BENCH", "name": "Đo hiệu năng", "name_en": "Benchmark"}],
        "procedures": [
            {
                "code": PROCEDURE_CODE,
                "national_code": PROCEDURE_CODE,
                "name": "Thủ tục đo hiệu năng nộp hồ sơ",
                "sector": "BENCH",
                "levels": ["commune"],
                "agencies": [],
                "version": 1,
                "effective_from": "2025-01-01",
                "online_level": "full",
                "processing_time": {"value": 3, "unit": "working_days"},
                "cutoff_time": None,
                "supplement_clock": "pause",
                "fees": [{"name": "Lệ phí", "kind": "fee", "amount": 10000}],
                "documents": [
                    {
                        "code": "TK",
                        "name": "Tờ khai",
                        "quantity": 1,
                        "form": "original",
                        "electronic_copy_accepted": True,
                        "national_source": None,
                        "required": True,
                    }
                ],
                "form_schema": {
                    "type": "object",
                    "required": ["ho_ten"],
                    "properties": {
                        "ho_ten": {"type": "string", "title": "Họ và tên", "maxLength": 100},
                        "ghi_chu": {"type": "string", "title": "Ghi chú", "maxLength": 500},
                    },
                },
                "process": [
                    {"name": "Tiếp nhận", "role": "reception", "agency": None, "budget_hours": 4},
                    {"name": "Xử lý", "role": "specialist", "agency": None, "budget_hours": 16},
                    {"name": "Phê duyệt", "role": "leader", "agency": None, "budget_hours": 4},
                ],
                "legal_basis": [],
                "electronic_result": True,
                "sample": ["code", "fees", "form_schema", "process"],
            }
        ],
    }


def pdf_200kb(serial: str = "") -> bytes:
    """A 200 KB PDF; a different `serial` gives different bytes (every citizen's file is their own,
    so each upload is stored anew rather than found already stored under its hash)."""
    head = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    tail = b"trailer<</Root 1 0 R>>\n%%EOF\n"
    comment = serial.encode().ljust(200 * 1024 - len(head) - len(tail) - 2, b"0")
    return head + b"%" + comment + b"\n" + tail


def prepare(clients: int) -> tuple[str, list[str]]:
    """Organisation, the benchmark procedure and one citizen per client. Returns the agency code
    and the usernames."""
    from django.conf import settings

    from cqs.accounts.models import User, UserKind
    from cqs.catalog.services import catalog_import
    from cqs.org.demo import commune_agency_codes, demo_agencies_load
    from cqs.org.services import units_load

    units_load(province_code=settings.CQS_PROVINCE_CODE)
    demo_agencies_load(province_code=settings.CQS_PROVINCE_CODE)
    catalog_import(actor=None, document=bench_catalog())
    names = []
    for i in range(clients):
        username = f"bench{i:03d}"
        # With an e-mail address, as registered citizens have: each submission queues its notice.
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"kind": UserKind.CITIZEN, "full_name": f"Người đo {i}", "email": f"{username}@example.invalid"},
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
        names.append(username)
    committee, _desk = commune_agency_codes("27712")
    return committee, names


@dataclass
class ClientStats:
    submissions: list[float] = field(default_factory=list)  # seconds, create -> submitted
    requests: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Client:
    """One citizen's connection (`bench.wire`: the load generator's own CPU is kept small)."""

    def __init__(self, base_url: str) -> None:
        parsed = urlparse(base_url)
        self.conn = wire.Connection(parsed.hostname, parsed.port, timeout=30)
        self.token = ""

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        h.update(headers or {})
        return self.conn.request(method, path, body or b"", h)


def run(
    base_url: str, *, clients: int, seconds: float, agency: str, usernames: list[str], web_pid: int | None = None
) -> tuple[list[Row], dict]:
    boundary = "cqs-bench-boundary"
    run_id = uuid.uuid4().hex[:12]  # and a new file for every attach, in this run and the next

    def multipart(serial: str) -> bytes:
        return (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="requirement"\r\n\r\nTK\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="to-khai.pdf"\r\n'
                f"Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + pdf_200kb(f"{run_id}-{serial}")
            + f"\r\n--{boundary}--\r\n".encode()
        )

    stats = [ClientStats() for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker(n: int) -> None:
        client = Client(base_url)
        try:
            status, body = client.call(
                "POST",
                "/api/v1/auth/token",
                json.dumps({"username": usernames[n], "password": PASSWORD}).encode(),
                {"Content-Type": "application/json"},
            )
        except OSError as exc:
            status, body = 0, repr(exc).encode()
        if status != 200:  # this client measures nothing, but the others must not wait for it
            stats[n].errors.append(f"token {status} {body[:200]!r}")
            start.wait()
            return
        client.token = json.loads(body)["token"]
        start.wait()
        # Signing in (argon2) takes the clients seconds on two cores; the server has meanwhile
        # closed the connections idle past its keep-alive, so each client starts on a fresh one.
        client.conn.close()
        payload = json.dumps(
            {
                "procedure": PROCEDURE_CODE,
                "agency": agency,
                "form": {"ho_ten": "Nguyễn Văn Đo", "ghi_chu": "đo hiệu năng"},
            }
        ).encode()
        while time.monotonic() < stop_at[0]:
            began = time.perf_counter()
            try:
                t = time.perf_counter()
                status, body = client.call(
                    "POST",
                    "/api/v1/dossiers",
                    payload,
                    {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
                )
                stats[n].requests.append(time.perf_counter() - t)
                if status != 201:
                    stats[n].errors.append(f"create {status} {body[:200]!r}")
                    continue
                dossier = json.loads(body)["id"]
                t = time.perf_counter()
                status, body = client.call(
                    "POST",
                    f"/api/v1/dossiers/{dossier}/documents",
                    multipart(f"{n}-{len(stats[n].requests)}"),
                    {"Content-Type": f"multipart/form-data; boundary={boundary}"},
                )
                stats[n].requests.append(time.perf_counter() - t)
                if status != 201:
                    stats[n].errors.append(f"attach {status} {body[:200]!r}")
                    continue
                t = time.perf_counter()
                status, body = client.call(
                    "POST", f"/api/v1/dossiers/{dossier}/submit", b"", {"Idempotency-Key": uuid.uuid4().hex}
                )
                stats[n].requests.append(time.perf_counter() - t)
                if status != 200:
                    stats[n].errors.append(f"submit {status} {body[:200]!r}")
                    continue
                stats[n].submissions.append(time.perf_counter() - began)
            except OSError as exc:
                stats[n].errors.append(repr(exc))
                token, client = client.token, Client(base_url)
                client.token = token

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + 3600
    meter = CpuMeter(web_pid) if web_pid else None
    start.wait()
    began = time.monotonic()
    if meter:
        meter.start()
    stop_at[0] = began + seconds
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    spent = meter.stop() if meter else None
    submissions = [s * 1000 for st in stats for s in st.submissions]
    requests = [s * 1000 for st in stats for s in st.requests]
    errors = [e for st in stats for e in st.errors]
    rate = len(submissions) / elapsed
    rows = [Row("submission", f"submissions/s at {clients} clients", round(rate, 1), "1/s", ">= 150")]
    rows += latency_rows("submission", submissions, p99_target="<= 300")
    rows += [
        Row(
            "submission",
            "p99 per HTTP request",
            round(sorted(requests)[int(len(requests) * 0.99) - 1], 1) if requests else float("nan"),
            "ms",
            "",
        )
    ]
    if spent and submissions:
        rows += [
            Row("submission", f"CPU per submission: {part}", round(seconds_ * 1000 / len(submissions), 2), "ms", "")
            for part, seconds_ in (
                ("web server", spent.web),
                ("database", spent.database),
                ("load generator", spent.generator),
            )
        ]
    context = {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "submissions": len(submissions),
        "errors": len(errors),
        "first_errors": errors[:5],
    }
    return rows, context
