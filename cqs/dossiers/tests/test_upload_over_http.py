"""An upload through the production web server (granian): the body is streamed to Django, stored
whole, and an oversize one is refused without replacing what was there."""

import hashlib
import json
import urllib.error
import urllib.request

from cqs.accounts.services import api_token_issue
from cqs.dossiers.tests.conftest import pdf_bytes

MB = 1024 * 1024


def _attach(base: str, token: str, dossier, content: bytes) -> tuple[int, dict]:
    boundary = "cqs-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="requirement"\r\n\r\nTK\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="to-khai.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        f"{base}/api/v1/dossiers/{dossier.pk}/documents",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_an_8_mb_upload_through_the_web_server_is_stored_whole_and_an_oversize_one_replaces_nothing(
    web_server, draft, personas
):
    token = api_token_issue(user=personas.citizen).token
    content = pdf_bytes(8 * MB)
    status, answer = _attach(web_server, token, draft, content)
    assert status == 201, answer
    stored = draft.documents.get(requirement__code="TK", is_current=True)
    assert (stored.file.size, stored.file.sha256) == (len(content), hashlib.sha256(content).hexdigest())

    status, answer = _attach(web_server, token, draft, pdf_bytes(11 * MB))
    assert status == 400 and answer["error"]["code"] == "invalid_file", answer
    assert draft.documents.get(requirement__code="TK", is_current=True).pk == stored.pk
