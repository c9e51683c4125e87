"""`kg ui` on a network (issue 9, item 9): a secret token on every HTTP request and WebSocket."""

import asyncio
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from ui.serve import LoopbackHostMiddleware, TokenMiddleware, check_port, needs_token, streamlit_config
from conftest import stop_server
from kg.errors import SettingsError

TOKEN = "s3cret-token"


def _call(middleware_class, scope, **kwargs):
    """Run one request through the middleware; what was sent, and whether the app was reached."""
    sent, reached = [], []

    async def app(scope, receive, send):
        reached.append(True)
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
        else:
            await send({"type": "websocket.accept"})

    async def receive():
        return {}

    async def send(message):
        sent.append(message)

    asyncio.run(middleware_class(app, **kwargs)(scope, receive, send))
    return sent, bool(reached)


def _scope(kind="http", host="localhost:8501", query=b"", headers=()):
    return {"type": kind, "query_string": query, "headers": [(b"host", host.encode()), *headers]}


@pytest.mark.parametrize("host", ["localhost:8501", "127.0.0.1:8501", "192.168.1.5:8501", "evil.example"])
def test_without_the_token_http_gets_403_whatever_the_host(host):
    sent, reached = _call(TokenMiddleware, _scope(host=host), token=TOKEN)
    assert not reached and sent[0]["status"] == 403


@pytest.mark.parametrize("host", ["localhost:8501", "192.168.1.5:8501"])
def test_without_the_token_the_websocket_is_closed_before_accept(host):
    sent, reached = _call(TokenMiddleware, _scope("websocket", host=host), token=TOKEN)
    assert not reached and sent == [{"type": "websocket.close", "code": 1008}]


def test_a_wrong_token_is_refused():
    sent, reached = _call(TokenMiddleware, _scope(query=b"token=guess"), token=TOKEN)
    assert not reached and sent[0]["status"] == 403


def test_the_token_in_the_url_lets_in_and_sets_the_cookie():
    sent, reached = _call(TokenMiddleware, _scope(host="192.168.1.5:8501", query=f"token={TOKEN}".encode()), token=TOKEN)
    assert reached and sent[0]["status"] == 200
    cookie = dict(sent[0]["headers"])[b"set-cookie"].decode()
    assert cookie.startswith(f"kg_token={TOKEN};") and "HttpOnly" in cookie and "SameSite=Strict" in cookie


@pytest.mark.parametrize("headers", [[(b"cookie", f"kg_token={TOKEN}".encode())], [(b"x-kg-token", TOKEN.encode())]])
def test_the_cookie_or_header_lets_http_and_the_websocket_in(headers):
    for kind in ("http", "websocket"):
        _, reached = _call(TokenMiddleware, _scope(kind, host="192.168.1.5:8501", headers=headers), token=TOKEN)
        assert reached


def test_loopback_mode_still_refuses_other_host_names():
    sent, reached = _call(LoopbackHostMiddleware, _scope(host="evil.example:8501"))
    assert not reached and sent[0]["status"] == 403


def test_only_loopback_binds_go_without_a_token():
    assert not needs_token("127.0.0.1") and needs_token("0.0.0.0") and needs_token("10.0.0.7")
    assert streamlit_config("0.0.0.0", 8501)["server.allowedHosts"] == ["*"]
    assert "*" not in streamlit_config("127.0.0.1", 8501)["server.allowedHosts"]


def test_a_port_in_use_is_refused_in_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SettingsError, match=f"^cannot listen on 127.0.0.1:{port}: Address already in use"):
            check_port("127.0.0.1", port)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def _start(host: str, notes, data, log):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "ui", "--host", host, "--port", str(port),
                             "--notes", str(notes), "--data", str(data)],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    return port, proc


def _wait_healthy(proc, log, port, headers) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("kg ui exited:\n" + log.read_text())
        try:
            if _get(f"http://127.0.0.1:{port}/_stcore/health", headers())[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail("kg ui did not answer:\n" + log.read_text())


def test_kg_ui_on_loopback_needs_no_token_and_refuses_other_host_names(sample_notes, data, tmp_path):
    log = tmp_path / "server.log"
    port, proc = _start("127.0.0.1", sample_notes, data, log)
    try:
        _wait_healthy(proc, log, port, dict)
        assert "token" not in log.read_text()
        assert _get(f"http://127.0.0.1:{port}/")[0] == 200
        assert _get(f"http://127.0.0.1:{port}/", {"Host": "evil.example"})[0] == 403
        assert _websocket_status(port, f"localhost:{port}") == 101
        assert _websocket_status(port, "evil.example") == 403
    finally:
        stop_server(proc)


@pytest.fixture
def network_server(sample_notes, data, tmp_path):
    log = tmp_path / "server.log"
    port, proc = _start("0.0.0.0", sample_notes, data, log)

    def token_header():
        found = re.search(r"\?token=([\w-]+)", log.read_text())
        return {"X-Kg-Token": found.group(1)} if found else {}

    try:
        _wait_healthy(proc, log, port, token_header)
        token = token_header()["X-Kg-Token"]
        yield port, token, log.read_text()
    finally:
        stop_server(proc)


def _websocket_status(port: int, host: str, cookie: str | None = None) -> int:
    """The HTTP status of a WebSocket handshake sent with exactly this Host header."""
    lines = [f"GET /_stcore/stream HTTP/1.1", f"Host: {host}", "Upgrade: websocket", "Connection: Upgrade",
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
             "Sec-WebSocket-Protocol: streamlit"] + ([f"Cookie: {cookie}"] if cookie else [])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return int(conn.recv(1024).split(b" ", 2)[1])


def test_kg_ui_on_every_interface_needs_the_printed_token(network_server):
    port, token, printed = network_server
    assert printed.count(token) == 1 and "every request needs the token" in printed
    base = f"http://127.0.0.1:{port}"
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"192.168.1.77:{port}"):
        assert _get(base + "/", {"Host": host})[0] == 403
        assert _get(base + "/_stcore/health", {"Host": host})[0] == 403
        assert _websocket_status(port, host) == 403
    status, headers = _get(f"{base}/?token={token}", {"Host": f"192.168.1.77:{port}"})
    assert status == 200 and headers["set-cookie"].startswith(f"kg_token={token};")
    assert _get(base + "/", {"Cookie": f"kg_token={token}"})[0] == 200
    assert _websocket_status(port, f"192.168.1.77:{port}", cookie=f"kg_token={token}") == 101


def test_ready_index_reads_only_the_manifest_of_a_built_index(sample_notes, data, monkeypatch):
    from kg import store
    from ui.serve import ready_index
    from ui.workspace import open_workspace

    ws = open_workspace(str(sample_notes), str(data))
    loaded, manifest = ready_index(ws)  # no index yet: built, and handed over loaded
    assert loaded is not None and manifest == loaded.manifest and ws.last_warning is None
    monkeypatch.setattr(store, "load", lambda *a, **k: pytest.fail("kg ui loaded the index before serving"))
    (sample_notes / "new.md").write_text("# 新笔记\n\n早停可以缓解过拟合。\n", encoding="utf-8")
    ws = open_workspace(str(sample_notes), str(data))
    loaded, manifest = ready_index(ws)
    assert loaded is None and manifest["concept_order"]
    assert ws.last_warning == ("the index is stale (1 note changed since the last build): showing it as it is; "
                               "run `kg build` to refresh")


def test_kg_ui_prints_the_concept_count_it_reads_from_the_manifest(sample_notes, data, tmp_path):
    from ui.workspace import open_workspace

    count = len(open_workspace(str(sample_notes), str(data)).load().index.concepts)
    log = tmp_path / "server.log"
    port, proc = _start("127.0.0.1", sample_notes, data, log)
    try:
        _wait_healthy(proc, log, port, dict)
        assert f"kg: {count} concepts from {sample_notes}" in log.read_text()
        assert _get(f"http://127.0.0.1:{port}/")[0] == 200
    finally:
        stop_server(proc)


def test_topics_come_from_a_child_process_for_the_same_index_only(sample_notes, data):
    from concurrent.futures import Future

    from ui.preload import explore, topics_and_gaps, topics_elsewhere
    from ui.workspace import open_workspace

    ws = open_workspace(str(sample_notes), str(data))
    loaded = ws.load()
    version, found, gaps = topics_elsewhere(ws.data_dir).result(timeout=120)  # a real child process
    here, _ = explore(ws, loaded)
    assert found and (found, gaps) == (here.topics, here.gaps) and version == here.version
    assert topics_and_gaps(str(data))[0] == version

    elsewhere = Future()
    elsewhere.set_result((version, found[:1], []))  # marked: only a child's result would look like this
    adopted, _ = explore(ws, loaded, elsewhere)
    stale = Future()
    stale.set_result(("gen-0:0", found[:1], []))  # another index's: not adopted
    computed, _ = explore(ws, loaded, stale)
    deadline = time.monotonic() + 60
    while ("gaps" not in adopted.__dict__ or "gaps" not in computed.__dict__) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (adopted.topics, adopted.gaps) == (found[:1], [])
    assert (computed.topics, computed.gaps) == (found, gaps)
