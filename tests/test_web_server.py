"""The production web server (`cqs run`, the benchmarks) serves the app, and `cqs run` refuses a
busy port instead of silently sharing it. An upload through it:
`cqs/dossiers/tests/test_upload_over_http.py`."""

import http.client
import socket
import urllib.request

from cqs import cli


def _get(url: str):
    return urllib.request.urlopen(url, timeout=10)  # noqa: S310 - the test's own server


def test_web_server_answers_health_the_portal_and_the_ckan_api(web_server):
    with _get(f"{web_server}/healthz") as response:
        assert response.status == 200
        assert b'"database": "ok"' in response.read()
    with _get(f"{web_server}/api/3/action/status_show") as response:
        assert response.headers["Content-Type"].startswith("application/json")
    with _get(f"{web_server}/") as response:
        assert "Chính Quyền Số" in response.read().decode()


def test_idle_keep_alive_connections_do_not_lock_out_other_clients(web_server):
    # The fixture's server runs 2 request threads; clients that keep their connection open after
    # an answer (browsers, HTTP libraries) must not take those places from newcomers.
    host, port = web_server.removeprefix("http://").split(":")
    connections = [http.client.HTTPConnection(host, int(port), timeout=10) for _ in range(6)]
    try:
        for conn in connections:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            assert response.status == 200
            response.read()
    finally:
        for conn in connections:
            conn.close()


def test_run_refuses_a_port_already_in_use(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["run", "--port", str(port), "--no-demo"]) == 2
    assert f"Port {port}" in capsys.readouterr().err
