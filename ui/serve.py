"""`kg ui`: the Streamlit explorer, headless, on 127.0.0.1, answering loopback Host names only.

Streamlit 1.67's own ``server.allowedHosts`` checks the Host header of WebSocket
connections only; HTTP requests (the page, component files, uploads,
``/_stcore/health``) are not checked. So the app is served as an ``st.App`` with
one small ASGI middleware in front of Streamlit's that refuses any HTTP request
or WebSocket whose Host is not a loopback name (403 / close before accept).
That is what stops a DNS-rebinding page from talking to the explorer, even
though it only listens on 127.0.0.1. ``server.allowedHosts`` is set as well.

On any other address (``--host 0.0.0.0``, a LAN address) a Host header proves
nothing: any machine on the network can send ``Host: localhost``. There, as in
Jupyter, every request needs a secret token, generated at start and printed once
with the URL: ``?token=…`` (which also sets a cookie, so the page's own requests
and its WebSocket carry it), the cookie, or an ``X-Kg-Token`` header. Without
it: 403 on HTTP, and the WebSocket is refused before it is accepted, whatever
the Host header says.
"""

from __future__ import annotations

import errno
import hmac
import ipaddress
import os
import re
import secrets
import socket
import sys
from collections.abc import Iterable
from contextlib import asynccontextmanager
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg import store
from kg.errors import IndexCorruptError, IndexMissingError, IndexOutdatedError, SettingsError
from kg.store import LoadedIndex
from kg.workspace import Workspace
from kg.limits import upload_limit_mb
from ui.workspace import open_workspace

APP = Path(__file__).resolve().parent / "app.py"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
TOKEN_COOKIE = "kg_token"
TOKEN_HEADER = b"x-kg-token"


def host_name(header: str | None) -> str | None:
    """The host name of a Host header, without port, brackets or a trailing dot; None if malformed.

    Examples
    --------
    >>> host_name("127.0.0.1:8501"), host_name("[::1]:80"), host_name("LocalHost."), host_name("a b")
    ('127.0.0.1', '::1', 'localhost', None)
    """
    if not header or any(c.isspace() or c in "/?#@\\" for c in header):
        return None
    try:
        parts = urlsplit(f"//{header}")
        _ = parts.port  # validates the port
    except ValueError:
        return None
    return (parts.hostname or "").rstrip(".") or None


def is_loopback_host(header: str | None, extra: Iterable[str] = ()) -> bool:
    """Whether a Host header names this machine's loopback (or one of `extra` names).

    Examples
    --------
    >>> [is_loopback_host(h) for h in ("localhost:8501", "127.0.0.1", "127.0.0.2:1", "[::1]:8501")]
    [True, True, True, True]
    >>> [is_loopback_host(h) for h in ("evil.example:8501", "localhost.evil.example", "0.0.0.0", None, "")]
    [False, False, False, False, False]
    >>> is_loopback_host("192.168.1.5:8501", extra=["192.168.1.5"])
    True
    """
    name = host_name(header)
    if name is None:
        return False
    if name == "localhost" or name in {e.lower().strip("[]") for e in extra}:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


async def _refuse(scope, send, message: bytes) -> None:
    """403 for HTTP; for a WebSocket, a close before accept (which the server sends as HTTP 403)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(message)).encode())]})
    await send({"type": "http.response.body", "body": message})


class LoopbackHostMiddleware:
    """ASGI middleware: requests and WebSockets whose Host is not loopback are refused."""

    def __init__(self, app, extra_hosts: Iterable[str] = ()):
        self.app = app
        self.extra_hosts = tuple(extra_hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), None)
            if not is_loopback_host(host, self.extra_hosts):
                await _refuse(scope, send, b"kg ui answers loopback Host names only (localhost, 127.0.0.1, ::1)\n")
                return
        await self.app(scope, receive, send)


def request_token(scope) -> tuple[str | None, bool]:
    """The token a request carries (query `token=`, `X-Kg-Token` header, or cookie), and whether
    it came in the query string (the first visit, which then sets the cookie).

    Examples
    --------
    >>> request_token({"query_string": b"token=abc&x=1", "headers": []})
    ('abc', True)
    >>> request_token({"query_string": b"", "headers": [(b"cookie", b"a=1; kg_token=xyz")]})
    ('xyz', False)
    >>> request_token({"query_string": b"", "headers": [(b"cookie", b"bad;;;=")]})
    (None, False)
    """
    query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    if query:
        return query[0], True
    headers = dict(scope.get("headers", ()))
    if TOKEN_HEADER in headers:
        return headers[TOKEN_HEADER].decode("latin-1"), False
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
    except CookieError:
        return None, False
    return (cookie[TOKEN_COOKIE].value if TOKEN_COOKIE in cookie else None), False


class TokenMiddleware:
    """ASGI middleware: every request and WebSocket must carry `token`, whatever its Host; a valid
    `?token=` also sets the cookie the page's later requests and WebSocket carry."""

    def __init__(self, app, token: str):
        self.app = app
        self.token = token

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given, in_query = request_token(scope)
        if given is None or not hmac.compare_digest(given.encode("latin-1", "replace"), self.token.encode()):
            await _refuse(scope, send, b"kg ui on a network needs its token: open the URL it printed at start "
                                       b"(with ?token=...)\n")
            return
        if scope["type"] == "http" and in_query:
            send = self._setting_cookie(send)
        await self.app(scope, receive, send)

    def _setting_cookie(self, send):
        cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode()

        async def with_cookie(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), (b"set-cookie", cookie)]}
            await send(message)

        return with_cookie


HASHED_ASSET = re.compile(r"^/component/.+[./][0-9a-f]{16,}(?:\.bundle)?\.(?:js|css|ttf|woff2?)$")
"""A component file named by its content hash (st-link-analysis's bundles and font): it never changes."""
IMMUTABLE = b"public, max-age=31536000, immutable"


class CacheHashedAssetsMiddleware:
    """ASGI middleware: a component's content-hashed files may be kept by the browser for good.

    Streamlit sends them with a bare ``Cache-Control: public`` (no lifetime, no validator), so
    the browser fetched and compiled the graph component's ~0.9 MB of JavaScript again on
    every page load (every deep link to a concept). A file named by its content hash cannot
    change under that name.

    Examples
    --------
    >>> bool(HASHED_ASSET.match("/component/x.st_link_analysis/cytoscape.7a9ca86f3f5dd910655f.bundle.js"))
    True
    >>> [bool(HASHED_ASSET.match(p)) for p in ("/component/x/index.html", "/component/x/icons/home.svg", "/index.js")]
    [False, False, False]
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not HASHED_ASSET.match(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        async def immutable(message):
            if message["type"] == "http.response.start" and message.get("status") == 200:
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", IMMUTABLE)]}
            await send(message)

        await self.app(scope, receive, immutable)


def needs_token(host: str) -> bool:
    """Whether binding `host` lets other machines connect, so a token must guard the app.

    Examples
    --------
    >>> [needs_token(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::", "192.168.1.5", "")]
    [False, False, False, True, True, True, True]
    """
    return not is_loopback_host(f"[{host}]" if ":" in host else host)


def check_port(host: str, port: int) -> None:
    """Fail at once, before any build, when `host:port` cannot be listened on (in use, bad address).

    Raises `SettingsError` with the reason.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host or "0.0.0.0", port))
    except OSError as exc:
        bad_address = isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL
        hint = "give an address of this machine as --host" if bad_address else "choose another --port"
        raise SettingsError(f"cannot listen on {host}:{port}: {exc.strerror or exc} ({hint})") from None


def extra_hosts(host: str) -> list[str]:
    """Names besides loopback to accept: the address the user chose to bind, unless a wildcard.

    Examples
    --------
    >>> extra_hosts("127.0.0.1"), extra_hosts("0.0.0.0"), extra_hosts("192.168.1.5")
    ([], [], ['192.168.1.5'])
    """
    if host in ("0.0.0.0", "::", "") or is_loopback_host(host if ":" not in host else f"[{host}]"):
        return []
    return [host]


def streamlit_config(host: str, port: int) -> dict:
    """The server options `kg ui` runs with (all of them non-sensitive, so `App.run` accepts them).

    With a token (`needs_token`), Streamlit's own WebSocket Host list accepts any name: the token,
    checked first, is what guards the app, and the names other machines use are not known here.
    """
    url_host = host if host not in ("0.0.0.0", "::", "") else DEFAULT_HOST
    return {
        "server.headless": True,
        "server.address": host,
        "server.port": port,
        "server.enableXsrfProtection": True,
        "server.enableCORS": True,
        "server.allowedHosts": ["*"] if needs_token(host) else [*LOOPBACK_NAMES, *extra_hosts(host)],
        "server.fileWatcherType": "none",
        "server.runOnSave": False,
        "server.maxUploadSize": upload_limit_mb(),
        "browser.gatherUsageStats": False,
        "browser.serverAddress": url_host,
        "client.toolbarMode": "viewer",
        "theme.base": "light",
    }


def ready_index(ws: Workspace) -> tuple[LoadedIndex | None, dict]:
    """The index's manifest, read without loading the index; an index that is missing, outdated or
    corrupt is built (or recovered) first, and then returned loaded as well.

    A stale index (notes changed) is served as it is, with a notice in `ws.last_warning`, as a read would.
    """
    try:
        manifest = store.read_manifest(ws.data_dir)
    except (IndexMissingError, IndexOutdatedError, IndexCorruptError):
        loaded = ws.load()
        return loaded, loaded.manifest
    ws.notice_staleness(manifest)
    return None, manifest


def _no_v2_components(self, *, start_file_watching: bool = True) -> None:
    """Stands in for `BidiComponentManager.discover_and_register_components`: nothing to discover."""


def serve(notes: str | None = None, data: str | None = None, port: int = DEFAULT_PORT,
          host: str = DEFAULT_HOST) -> int:
    """Build the index if it is missing or stale, then run the explorer until interrupted."""
    ws = open_workspace(notes, data)
    check_port(host, port)
    loaded, manifest = ready_index(ws)
    if ws.last_warning:
        print(f"kg: warning: {ws.last_warning}", file=sys.stderr)
    print(f"kg: {len(manifest['concept_order'])} concepts from {ws.notes_dir} (index in {ws.data_dir})", flush=True)
    token = secrets.token_urlsafe(24) if needs_token(host) else None
    if token:
        url_host = host if host not in ("0.0.0.0", "::", "") else "<this machine's address>"
        print(f"kg: listening on {host or 'every interface'}:{port}, reachable from other machines; every request "
              f"needs the token. Open:\n    http://{url_host}:{port}/?token={token}", flush=True)
    # The app reads its folders the way the CLI does; absolute, so the server's cwd does not matter.
    os.environ["KG_NOTES"] = str(ws.notes_dir.resolve())
    os.environ["KG_DATA"] = str(ws.data_dir.resolve())

    from ui.preload import prepare, topics_elsewhere

    topics = topics_elsewhere(ws.data_dir)  # on another core while Streamlit starts and the index loads
    import streamlit as st
    from starlette.middleware import Middleware
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.runtime.pages_manager import PagesManager

    # Streamlit's runtime reads the metadata of every installed distribution at start, looking for
    # "v2" components (0.3-0.5 s idle, seconds on a busy machine); the explorer uses none.
    BidiComponentManager.discover_and_register_components = _no_v2_components

    # ui/pages/ holds st.navigation pages. Streamlit would otherwise treat a `pages/` folder next to
    # the main script as a v1 multipage app until the first run calls st.navigation, and a first
    # request for `/concept?…` would run pages/concept.py alone (no navigation, no page config).
    PagesManager.uses_pages_directory = False
    guard = (Middleware(TokenMiddleware, token=token) if token
             else Middleware(LoopbackHostMiddleware, extra_hosts=extra_hosts(host)))
    @asynccontextmanager
    async def load_once_started(_app):
        # The index is loaded (and the explorer built) in the background once the runtime has started,
        # just before the server listens: loaded while Streamlit starts, the two would share one
        # interpreter lock and both finish late (the server answered ~2x later, the first page no sooner).
        prepare(ws, loaded, topics)
        yield

    app = st.App(str(APP), middleware=[guard, Middleware(CacheHashedAssetsMiddleware)], lifespan=load_once_started)
    app.run(config=streamlit_config(host, port))
    return 0
