"""`kg ui`: the Streamlit explorer, headless, on 127.0.0.1, answering loopback Host names only.

Streamlit 1.67's own ``server.allowedHosts`` checks the Host header of WebSocket
connections only; HTTP requests (the page, component files, uploads,
``/_stcore/health``) are not checked. So the app is served as an ``st.App`` with
one small ASGI middleware in front of Streamlit's that refuses any HTTP request
or WebSocket whose Host is not a loopback name (403 / close before accept).
That is what stops a DNS-rebinding page from talking to the explorer, even
though it only listens on 127.0.0.1. ``server.allowedHosts`` is set as well.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from ui.workspace import open_workspace

APP = Path(__file__).resolve().parent / "app.py"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
MAX_UPLOAD_MB = 2


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


class LoopbackHostMiddleware:
    """ASGI middleware: requests and WebSockets whose Host is not loopback are refused."""

    def __init__(self, app, extra_hosts: Iterable[str] = ()):
        self.app = app
        self.extra_hosts = tuple(extra_hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), None)
            if not is_loopback_host(host, self.extra_hosts):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
                    return
                body = b"kg ui answers loopback Host names only (localhost, 127.0.0.1, ::1)\n"
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


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
    """The server options `kg ui` runs with (all of them non-sensitive, so `App.run` accepts them)."""
    url_host = host if host not in ("0.0.0.0", "::", "") else DEFAULT_HOST
    return {
        "server.headless": True,
        "server.address": host,
        "server.port": port,
        "server.enableXsrfProtection": True,
        "server.enableCORS": True,
        "server.allowedHosts": [*LOOPBACK_NAMES, *extra_hosts(host)],
        "server.fileWatcherType": "none",
        "server.runOnSave": False,
        "server.maxUploadSize": MAX_UPLOAD_MB,
        "browser.gatherUsageStats": False,
        "browser.serverAddress": url_host,
        "client.toolbarMode": "viewer",
        "theme.base": "light",
    }


def serve(notes: str | None = None, data: str | None = None, port: int = DEFAULT_PORT,
          host: str = DEFAULT_HOST) -> int:
    """Build the index if it is missing or stale, then run the explorer until interrupted."""
    ws = open_workspace(notes, data)
    loaded = ws.load()
    if ws.last_warning:
        print(f"kg: warning: {ws.last_warning}", file=sys.stderr)
    print(f"kg: {len(loaded.index.concepts)} concepts from {ws.notes_dir} (index in {ws.data_dir})", flush=True)
    if host in ("0.0.0.0", "::", ""):
        print("kg: listening on every interface, but only requests for localhost/127.0.0.1 are answered",
              file=sys.stderr)
    # The app reads its folders the way the CLI does; absolute, so the server's cwd does not matter.
    os.environ["KG_NOTES"] = str(ws.notes_dir.resolve())
    os.environ["KG_DATA"] = str(ws.data_dir.resolve())

    import streamlit as st
    from starlette.middleware import Middleware
    from streamlit.runtime.pages_manager import PagesManager

    # ui/pages/ holds st.navigation pages. Streamlit would otherwise treat a `pages/` folder next to
    # the main script as a v1 multipage app until the first run calls st.navigation, and a first
    # request for `/concept?…` would run pages/concept.py alone (no navigation, no page config).
    PagesManager.uses_pages_directory = False
    app = st.App(str(APP), middleware=[Middleware(LoopbackHostMiddleware, extra_hosts=extra_hosts(host))])
    app.run(config=streamlit_config(host, port))
    return 0
