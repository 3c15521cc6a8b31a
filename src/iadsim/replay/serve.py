"""The replay page, written as a static folder or served over HTTP (stdlib ``http.server``).

The page is the front-end built from ``frontend/`` (npm, pinned by its lockfile) into the package data
folder ``iadsim/replay/static/`` (``index.html``, ``app.js``, ``app.css``, ``LICENSES.md``); it loads
nothing from another origin (its Content-Security-Policy says ``default-src 'self'``). The run's data is one
more script next to it, ``replay-data.js`` (``window.IADSIM_REPLAY = {...}``, the document of
:func:`iadsim.replay.data.replay_document`): a script rather than a ``fetch`` of JSON, so that the written
folder also works when opened straight from disk (``file://``), where browsers refuse ``fetch``.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from iadsim.errors import InputError

DATA_SCRIPT = "replay-data.js"
#: the built front-end files (package data)
STATIC_FILES = ("index.html", "app.js", "app.css", "LICENSES.md")


def static_dir() -> Path:
    """The folder of the built front-end inside the installed package."""
    return Path(str(resources.files("iadsim.replay") / "static"))


def data_script(doc: dict) -> bytes:
    """``replay-data.js``: the replay document as a script that sets ``window.IADSIM_REPLAY``."""
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    return f"window.IADSIM_REPLAY = {text};\n".encode()


def write_static(doc: dict, out: str | Path) -> Path:
    """Write the replay page and its data to the folder ``out`` (created; files of the same names replaced);
    returns the path of ``index.html``."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a directory", file=str(out), field="--out")
    src = static_dir()
    missing = [f for f in STATIC_FILES if not (src / f).is_file()]
    if missing:  # a broken installation, not bad input; say so in one line all the same
        raise InputError(f"the installed replay page is incomplete (missing {', '.join(missing)}); reinstall iadsim",
                         file=str(src))
    try:
        out.mkdir(parents=True, exist_ok=True)
        for f in STATIC_FILES:
            shutil.copyfile(src / f, out / f)
        (out / DATA_SCRIPT).write_bytes(data_script(doc))
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(out), field="--out") from None
    return out / "index.html"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (``localhost`` or a loopback address)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(SimpleHTTPRequestHandler):
    """Static files of the page; ``/replay-data.js`` from memory; no directory listings, no logging."""

    def __init__(self, *args, data: bytes, **kwargs):
        self._data = data
        super().__init__(*args, **kwargs)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self.path = "/index.html"
        if path == f"/{DATA_SCRIPT}":
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(self._data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(self._data)
            return
        if path.strip("/") not in STATIC_FILES and path != "/":
            self.send_error(404)
            return
        super().do_GET()

    def end_headers(self):
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def guess_type(self, path):
        p = str(path)
        if p.endswith(".js"):
            return "text/javascript; charset=utf-8"
        if p.endswith(".md"):
            return "text/markdown; charset=utf-8"
        return super().guess_type(path)

    def log_message(self, format, *args):  # noqa: A002
        pass


class ReplayServer:
    """An HTTP server of the replay page on ``host:port`` (``port=0``: the OS chooses); :attr:`url` is its
    address. :meth:`start` serves from a background thread, :meth:`serve_forever` in the caller's."""

    def __init__(self, doc: dict, host: str = "127.0.0.1", port: int = 0):
        handler = partial(_Handler, data=data_script(doc), directory=str(static_dir()))
        try:
            self.httpd = ThreadingHTTPServer((host, port), handler)
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", field="--host/--port") from None
        self.httpd.daemon_threads = True
        self.host = host
        self.port = self.httpd.server_address[1]
        self._thread = None

    @property
    def url(self) -> str:
        h = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{h}:{self.port}/"

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="iadsim-replay", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def close(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
