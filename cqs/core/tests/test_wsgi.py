"""The WSGI application hands the server a response held in memory as one block of bytes."""

import io

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from cqs.wsgi import application

pytestmark = pytest.mark.django_db


def _environ(path):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }


def test_an_answer_in_memory_is_one_block_of_bytes_and_the_request_is_finished(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    started, finished = [], []
    # As Django's test client does: the test's transaction keeps its connection open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_finished.connect(receiver := lambda **kwargs: finished.append(True))
    try:
        body = application(_environ("/healthz"), lambda status, headers: started.append(status))
    finally:
        request_finished.disconnect(receiver)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert started == ["200 OK"]
    assert isinstance(body, list) and len(body) == 1 and b'"status"' in body[0]
    assert finished == [True]  # before the server sends it, as it would have been after
