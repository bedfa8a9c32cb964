"""CSV uploads that are not plain UTF-8: Windows-1258 (Vietnamese), Windows-1252, UTF-16 and
UTF-8 with a byte-order mark load with their diacritics intact; an unknown encoding is reported."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest

from cqs.notify.worker import drain
from cqs.opendata import datastore
from cqs.opendata.models import Resource
from cqs.opendata.services import dataset_create, resource_upload

pytestmark = pytest.mark.django_db(transaction=True)

COMMUNES = (
    "Mã xã,Tên xã,Dân số\n"
    "25450,Phường Tân Ninh,12000\n"
    "25451,Xã Dương Minh Châu,3400\n"
    "25452,Phường Hòa Thành,5600\n"
    "25453,Xã Bến Cầu,700\n"
    "25454,Xã Hảo Đước,800\n"
)
# Windows-1252 has only some Vietnamese letters (à, â, ò, ý...): a file saved in it uses those.
WESTERN = "Mã,Tên,Quy mô\n01,Tân Châu,10\n02,Hòa Thành,20\n03,Tây Ninh,30\n04,Thái Hòa,40\n"


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed base letters (ư, ơ, â, ă, ê, ô, đ) followed by a
    combining tone mark where the code page has no precomposed form."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", decomposed[:-1]).encode("cp1258") + decomposed[-1].encode("cp1258")
    return bytes(out)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dataset(publisher):
    return dataset_create(actor=publisher.user, data={"name": "bang-ma", "owner_org": "000-10-00-h53"})


def load(publisher, dataset, content: bytes, name: str = "xa.csv") -> Resource:
    handle = io.BytesIO(content)
    handle.name = name
    resource = resource_upload(actor=publisher.user, dataset=dataset, uploaded_file=handle)
    drain(queues=["opendata"])
    resource.refresh_from_db()
    return resource


def test_a_windows_1258_csv_loads_with_its_vietnamese_diacritics(publisher, dataset):
    content = cp1258(COMMUNES)
    assert content.decode("cp1258") != COMMUNES  # tone marks are combining characters in the file
    assert datastore.detect_encoding(content, complete=True) == "cp1258"
    resource = load(publisher, dataset, content)
    assert resource.datastore_state == "valid", resource.datastore_report
    assert [f["id"] for f in resource.datastore_fields] == ["Mã xã", "Tên xã", "Dân số"]
    # Stored in NFC: the name typed on a keyboard finds the row, exactly and by search.
    page = datastore.search(resource, filters={"Tên xã": "Phường Hòa Thành"})
    assert page.total == 1 and page.records[0]["Dân số"] == 5600
    assert datastore.search(resource, q="hảo đước").records[0]["Tên xã"] == "Xã Hảo Đước"
    assert datastore.search(resource, q="duong minh chau").total == 1


@pytest.mark.parametrize(
    ("encoding", "text"),
    [("cp1252", WESTERN), ("utf-16", COMMUNES), ("utf-8-sig", COMMUNES)],
)
def test_other_encodings_load_intact(publisher, dataset, encoding, text):
    resource = load(publisher, dataset, text.encode(encoding))
    assert resource.datastore_state == "valid", resource.datastore_report
    header = text.splitlines()[0].split(",")
    assert [f["id"] for f in resource.datastore_fields] == header
    expected = [line.split(",")[1] for line in text.splitlines()[1:]]
    assert [r[header[1]] for r in datastore.search(resource).records] == expected
    assert datastore.search(resource).records[0][header[0]] in {"01", "25450"}  # codes stay strings


def test_a_csv_whose_encoding_cannot_be_determined_is_reported(publisher, dataset):
    content = b"ma,ten\n01," + bytes(range(0x80, 0x100)) * 3 + b"\n"
    assert datastore.detect_encoding(content, complete=True) is None
    resource = load(publisher, dataset, content)
    assert resource.datastore_state == "invalid" and not resource.datastore_active
    [error] = resource.datastore_report["errors"]
    assert error["type"] == "encoding-error" and "UTF-8" in error["message"]


def test_broken_utf8_and_binary_bytes_have_no_encoding():
    mostly_utf8 = "ma,ten\n1,Phường Tân Ninh\n2,Xã Dương Minh Châu\n3,Hòa Thành\n".encode() + b"4,Caf\xe9\n"
    assert datastore.detect_encoding(mostly_utf8, complete=True) is None  # not read as mojibake
    assert datastore.detect_encoding(b"\x00\x01\x02garbage\x00\xff", complete=True) is None
    assert datastore.detect_encoding("ma,tên\n".encode("utf-16-le"), complete=True) == "utf_16_le"
