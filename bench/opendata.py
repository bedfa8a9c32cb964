"""Open-data portal latency: CKAN's `package_search` (a query and five facets) and `package_show`
at N concurrent clients over HTTP, on 20,000 generated datasets (Vietnamese titles and
descriptions with diacritics, tags, agencies as organisations, themes, formats, licences,
resources), beside a plain indexed SQL query measured at the same concurrency in the same run."""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
import uuid
from urllib.parse import urlencode, urlparse

from bench.report import Row, latency_rows, percentile

SEED = 6
FACETS = json.dumps(["organization", "groups", "tags", "res_format", "license_id"])

# (slug, title, description, tags, themes): what a province publishes.
TOPICS = [
    (
        "gia-dat",
        "Bảng giá đất nông nghiệp",
        "Giá đất trồng lúa, đất trồng cây lâu năm và đất rừng sản xuất",
        ["đất đai", "giá đất"],
        ["tai-nguyen-moi-truong", "kinh-te"],
    ),
    (
        "khai-sinh",
        "Số lượt đăng ký khai sinh",
        "Số lượt đăng ký khai sinh, khai tử, kết hôn theo đơn vị hành chính",
        ["hộ tịch", "khai sinh"],
        ["tu-phap"],
    ),
    (
        "chat-luong-nuoc",
        "Chất lượng nước mặt",
        "Kết quả quan trắc chất lượng nước sông, kênh, rạch hằng tháng",
        ["môi trường", "quan trắc", "nước"],
        ["tai-nguyen-moi-truong"],
    ),
    (
        "xang-dau",
        "Danh sách cửa hàng bán lẻ xăng dầu",
        "Địa chỉ, giấy phép kinh doanh và thương nhân phân phối",
        ["xăng dầu", "thương mại"],
        ["kinh-te"],
    ),
    (
        "truong-hoc",
        "Danh sách trường học",
        "Trường mầm non, tiểu học, trung học cơ sở; số lớp, số học sinh, giáo viên",
        ["giáo dục", "trường học"],
        ["giao-duc"],
    ),
    (
        "co-so-y-te",
        "Danh sách cơ sở khám bệnh, chữa bệnh",
        "Bệnh viện, trạm y tế xã, phòng khám tư nhân được cấp phép",
        ["y tế", "bệnh viện"],
        ["y-te"],
    ),
    (
        "dan-so",
        "Dân số trung bình",
        "Dân số trung bình phân theo giới tính và thành thị, nông thôn",
        ["dân số", "thống kê"],
        ["dan-cu"],
    ),
    (
        "doanh-nghiep",
        "Doanh nghiệp đăng ký thành lập mới",
        "Số doanh nghiệp thành lập mới, vốn đăng ký và ngành kinh doanh chính",
        ["doanh nghiệp", "đầu tư"],
        ["kinh-te"],
    ),
    (
        "ho-ngheo",
        "Tỷ lệ hộ nghèo, hộ cận nghèo",
        "Kết quả rà soát hộ nghèo, hộ cận nghèo theo chuẩn nghèo đa chiều",
        ["an sinh xã hội", "hộ nghèo"],
        ["xa-hoi"],
    ),
    (
        "du-lich",
        "Khách du lịch và doanh thu du lịch",
        "Lượt khách, doanh thu của cơ sở lưu trú và điểm du lịch như núi Bà Đen",
        ["du lịch", "văn hóa"],
        ["van-hoa-du-lich"],
    ),
    (
        "giao-thong",
        "Tai nạn giao thông đường bộ",
        "Số vụ tai nạn, số người chết, bị thương trên quốc lộ và tỉnh lộ",
        ["giao thông", "an toàn"],
        ["giao-thong"],
    ),
    (
        "lua-gao",
        "Diện tích, năng suất, sản lượng lúa",
        "Diện tích gieo trồng, năng suất và sản lượng lúa theo vụ đông xuân, hè thu",
        ["nông nghiệp", "lúa gạo"],
        ["nong-nghiep"],
    ),
    (
        "mia-duong",
        "Diện tích mía và sản lượng đường",
        "Vùng nguyên liệu mía, nhà máy đường và sản lượng theo niên vụ",
        ["nông nghiệp", "mía"],
        ["nong-nghiep"],
    ),
    (
        "chan-nuoi",
        "Đàn gia súc, gia cầm",
        "Số lượng trâu, bò, lợn, gia cầm và dịch bệnh động vật",
        ["chăn nuôi", "thú y"],
        ["nong-nghiep"],
    ),
    (
        "xay-dung",
        "Giấy phép xây dựng đã cấp",
        "Giấy phép xây dựng nhà ở riêng lẻ và công trình theo địa bàn",
        ["xây dựng", "giấy phép"],
        ["xay-dung"],
    ),
    (
        "ngan-sach",
        "Công khai dự toán ngân sách",
        "Dự toán thu, chi ngân sách địa phương được Hội đồng nhân dân thông qua",
        ["ngân sách", "tài chính"],
        ["tai-chinh"],
    ),
    (
        "lao-dong",
        "Lao động có việc làm",
        "Lực lượng lao động, tỷ lệ thất nghiệp và lao động qua đào tạo",
        ["lao động", "việc làm"],
        ["xa-hoi"],
    ),
    (
        "khu-cong-nghiep",
        "Doanh nghiệp trong khu công nghiệp",
        "Dự án đầu tư, vốn và lao động tại khu công nghiệp Trảng Bàng, Phước Đông",
        ["khu công nghiệp", "đầu tư"],
        ["kinh-te"],
    ),
    (
        "thu-vien",
        "Bạn đọc và sách thư viện",
        "Số thẻ bạn đọc, lượt mượn sách của thư viện tỉnh và thư viện xã",
        ["thư viện", "văn hóa"],
        ["van-hoa-du-lich"],
    ),
    (
        "khong-khi",
        "Chất lượng không khí",
        "Chỉ số chất lượng không khí VN_AQI, bụi mịn PM2.5 tại trạm quan trắc tự động",
        ["môi trường", "không khí"],
        ["tai-nguyen-moi-truong"],
    ),
    (
        "thu-tuc",
        "Thủ tục hành chính giải quyết đúng hạn",
        "Số hồ sơ tiếp nhận, giải quyết đúng hạn, trễ hạn theo lĩnh vực",
        ["cải cách hành chính", "dịch vụ công"],
        ["hanh-chinh"],
    ),
    (
        "dien-nang",
        "Sản lượng điện thương phẩm",
        "Điện năng tiêu thụ theo thành phần phụ tải, điện mặt trời áp mái",
        ["năng lượng", "điện"],
        ["kinh-te"],
    ),
    (
        "bao-hiem",
        "Người tham gia bảo hiểm xã hội, bảo hiểm y tế",
        "Số người tham gia bảo hiểm xã hội bắt buộc, tự nguyện và bảo hiểm y tế",
        ["bảo hiểm", "an sinh xã hội"],
        ["xa-hoi", "y-te"],
    ),
    (
        "cho",
        "Danh sách chợ và siêu thị",
        "Chợ truyền thống, siêu thị, trung tâm thương mại và hạng chợ",
        ["thương mại", "chợ"],
        ["kinh-te"],
    ),
]
GROUPS = {
    "tai-nguyen-moi-truong": "Tài nguyên và môi trường",
    "kinh-te": "Kinh tế",
    "tu-phap": "Tư pháp",
    "giao-duc": "Giáo dục",
    "y-te": "Y tế",
    "dan-cu": "Dân cư",
    "xa-hoi": "Lao động và xã hội",
    "van-hoa-du-lich": "Văn hóa và du lịch",
    "giao-thong": "Giao thông",
    "nong-nghiep": "Nông nghiệp",
    "xay-dung": "Xây dựng",
    "tai-chinh": "Tài chính",
    "hanh-chinh": "Hành chính công",
}
FORMATS = [
    ("CSV", "text/csv"),
    ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("JSON", "application/json"),
    ("PDF", "application/pdf"),
    ("GeoJSON", "application/geo+json"),
]
LICENSES = ["cc-by", "cc-by", "cc-by", "cc-by-sa", "cc-zero", "odc-by", "notspecified"]
FILLER = [
    "Số liệu do {agency} tổng hợp từ báo cáo của các xã, phường.",
    "Dữ liệu được cập nhật định kỳ và công bố theo Nghị định 47/2020/NĐ-CP.",
    "Đơn vị tính và phương pháp tính theo hướng dẫn của Tổng cục Thống kê.",
    "Phạm vi: {place}, thời kỳ {year}.",
]

# The query mix: unaccented, accented, misspelled (typos), short and long.
QUERIES = [
    "gia dat",
    "giá đất nông nghiệp",
    "khai sinh",
    "dang ky khai sinh",
    "chat luong nuoc",
    "chất lượng nước",
    "xang dau",
    "bán lẻ xăng dầu",
    "truong hoc",
    "trường mầm non",
    "benh vien",
    "dân số",
    "doanh nghiep",
    "ho ngheo",
    "du lich nui ba den",
    "tai nan giao thong",
    "lua",
    "mía đường",
    "chan nuoi",
    "giay phep xay dung",
    "ngan sach",
    "lao dong viec lam",
    "khu cong nghiep trang bang",
    "bạn đọc",
    "khong khi",
    "thu tuc hanh chinh",
    "dien mat troi",
    "bao hiem y te",
    "cho",
    "tay ninh",
    "chat luog nuoc",
    "khai sihn",
    "truong hco",
    "doanh ngiep",
    "du lihc",
    "giao thogn",
    "ngan sahc",
    "ho ngeo",
]


def generate(count: int, *, seed: int = SEED, progress=print) -> int:
    """`count` datasets (with groups and one to three resources each) by bulk insert, consistent
    with the models (the database computes the search columns). Returns how many were added."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from cqs.opendata.models import Dataset, Frequency, Group, Resource
    from cqs.org.demo import demo_agencies_load
    from cqs.org.models import AdministrativeUnit, Agency, UnitLevel
    from cqs.org.services import units_load

    if not AdministrativeUnit.objects.exists():
        units_load(province_code=settings.CQS_PROVINCE_CODE)
    if not Agency.objects.exists():
        demo_agencies_load(province_code=settings.CQS_PROVINCE_CODE)
    have = Dataset.objects.filter(name__startswith="bench-").count()
    if have >= count:
        return 0
    rng = random.Random(seed + have)
    groups = {}
    for name, title in GROUPS.items():
        groups[name], _ = Group.objects.get_or_create(name=name, defaults={"title": title})
    agencies = list(Agency.objects.filter(is_active=True).exclude(kind="one_stop_desk").order_by("code"))
    departments = [a for a in agencies if a.level == UnitLevel.PROVINCE]
    units = list(AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, is_current=True).order_by("code"))
    province = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).first()
    frequencies = [f for f, _label in Frequency.choices]
    now = timezone.now()
    through = Dataset.groups.through
    batch = 2000
    added = 0
    while have + added < count:
        n = min(batch, count - have - added)
        datasets, links, resources = [], [], []
        for i in range(n):
            slug, title, description, tags, themes = rng.choice(TOPICS)
            unit = rng.choice(units) if units and rng.random() < 0.7 else province
            agency = rng.choice(departments if unit == province or rng.random() < 0.5 else agencies)
            year = rng.randint(2015, 2025)
            place = unit.name if unit else "tỉnh Tây Ninh"
            notes = " ".join(
                [f"{description} tại {place} năm {year}."]
                + [s.format(agency=agency.name, place=place, year=year) for s in rng.sample(FILLER, 2)]
            )
            dataset = Dataset(
                id=uuid.uuid4(),
                name=f"bench-{slug}-{have + added + i:06d}",
                title=f"{title} {place} năm {year}",
                notes=notes,
                tags=[*tags, str(year)] + ([place.lower()] if rng.random() < 0.3 else []),
                license_id=rng.choice(LICENSES),
                owner_org=agency,
                spatial=unit,
                frequency=rng.choice(frequencies),
                version="1.0",
                private=rng.random() < 0.05,
                maintainer=agency.name,
                temporal_start=None,
                temporal_end=None,
            )
            datasets.append(dataset)
            for theme in themes:
                links.append(through(dataset_id=dataset.id, group_id=groups[theme].pk))
            for position in range(rng.randint(1, 3)):
                fmt, mime = rng.choice(FORMATS)
                resources.append(
                    Resource(
                        dataset_id=dataset.id,
                        position=position,
                        name=f"{title} ({fmt})",
                        url=f"https://dulieu.tayninh.gov.vn/files/{dataset.name}-{position}.{fmt.lower()}",
                        format=fmt,
                        mimetype=mime,
                        size=rng.randint(2_000, 5_000_000),
                        last_modified=now,
                    )
                )
        with transaction.atomic():
            Dataset.objects.bulk_create(datasets)
            through.objects.bulk_create(links)
            Resource.objects.bulk_create(resources)
        added += n
        progress(f"  {have + added:,} datasets")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE opendata_dataset, opendata_resource, opendata_dataset_groups")
    return added


def _once(base_url: str, paths: list[str]) -> list[float]:
    """Latency in ms of one request to each path, in turn, on one connection."""
    parsed = urlparse(base_url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    samples = []
    for path in paths:
        t = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status == 200:
            samples.append((time.perf_counter() - t) * 1000)
    conn.close()
    return samples


def _measure(base_url: str, paths: list[str], *, clients: int, seconds: float) -> tuple[list[float], int]:
    """Closed loop: each client sends its next request as soon as the previous one answered."""
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker(n: int) -> None:
        parsed = urlparse(base_url)
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        rng = random.Random(n)
        mine: list[float] = []
        start.wait()
        while time.monotonic() < stop_at[0]:
            path = rng.choice(paths)
            t = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - t) * 1000
            if response.status != 200 or not json.loads(body).get("success"):
                with lock:
                    errors[0] += 1
                continue
            mine.append(elapsed)
        conn.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + 3600
    start.wait()
    stop_at[0] = time.monotonic() + seconds
    for thread in threads:
        thread.join()
    return samples, errors[0]


def _sql_baseline(database_url: str, names: list[str], *, clients: int, seconds: float) -> list[float]:
    """A plain indexed SQL query (one dataset row by its unique name) at the same concurrency."""
    import psycopg

    samples: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(n: int) -> None:
        rng = random.Random(n)
        mine = []
        with psycopg.connect(database_url, autocommit=True) as conn:
            while time.monotonic() < stop_at:
                t = time.perf_counter()
                conn.execute("SELECT * FROM opendata_dataset WHERE name = %s", [rng.choice(names)]).fetchall()
                mine.append((time.perf_counter() - t) * 1000)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def run(base_url: str, database_url: str, *, clients: int, seconds: float) -> tuple[list[Row], dict]:
    from cqs.opendata.models import Dataset

    rng = random.Random(SEED)
    names = list(Dataset.objects.filter(private=False, state="active").values_list("name", flat=True)[:5000])
    search_paths = [
        "/api/3/action/package_search?" + urlencode({"q": q, "facet.field": FACETS, "rows": 10}) for q in QUERIES
    ]
    show_paths = ["/api/3/action/package_show?" + urlencode({"id": name}) for name in rng.sample(names, 500)]
    # First request of each path, one at a time: what an answer costs to build (a cache miss).
    cold_search = _once(base_url, search_paths)
    cold_show = _once(base_url, show_paths)
    _measure(base_url, search_paths + show_paths, clients=clients, seconds=2)  # warm the workers
    search, search_errors = _measure(base_url, search_paths, clients=clients, seconds=seconds)
    show, show_errors = _measure(base_url, show_paths, clients=clients, seconds=seconds)
    sql = _sql_baseline(database_url, names, clients=clients, seconds=min(seconds, 5))
    sql_p95 = round(percentile(sql, 95), 2)
    rows = latency_rows(f"opendata: package_search + 5 facets, {clients} clients", search, p95_target="<= 50")
    rows += latency_rows(f"opendata: package_show, {clients} clients", show, p95_target="<= 20")
    for row in (rows[1], rows[4]):
        row.baseline_name, row.baseline = "indexed SQL p95 ms", sql_p95
    rows += [
        Row(
            "opendata: first request of each query (built, not cached), 1 client",
            "p50 latency",
            round(statistics.median(cold_search), 1),
            "ms",
            "",
        ),
        Row(
            "opendata: first request of each query (built, not cached), 1 client",
            "p95 latency",
            round(percentile(cold_search, 95), 1),
            "ms",
            "",
        ),
        Row(
            "opendata: first package_show of each dataset (built, not cached), 1 client",
            "p95 latency",
            round(percentile(cold_show, 95), 1),
            "ms",
            "",
        ),
        Row("opendata", "package_search throughput", round(len(search) / seconds, 1), "1/s", ""),
        Row("opendata", "package_show throughput", round(len(show) / seconds, 1), "1/s", ""),
        Row("baseline", f"indexed SQL by name, p95 at {clients} clients", sql_p95, "ms", ""),
    ]
    context = {
        "clients": clients,
        "seconds": seconds,
        "datasets": Dataset.objects.count(),
        "queries": len(QUERIES),
        "search_requests": len(search),
        "show_requests": len(show),
        "errors": search_errors + show_errors,
    }
    return rows, context
