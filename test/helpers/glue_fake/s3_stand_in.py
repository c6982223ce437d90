"""An S3 stand-in for the Glue job's script, over loopback: GetObject and PutObject, path-style (as the
SDK addresses an IP endpoint), with S3's NoSuchKey error, each object a file under a directory so a
second run of the job finds what the first wrote (the plans beside the checkpoint)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

NO_SUCH_KEY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
               b"<Message>The specified key does not exist.</Message></Error>")


def start_s3(root: Path) -> tuple[str, ThreadingHTTPServer]:
    """Serves ``root/<bucket>/<key>``; returns the endpoint URL and the server (``shutdown()`` it)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _path(self) -> Path:
            bucket, _, key = unquote(urlsplit(self.path).path).lstrip("/").partition("/")
            if not bucket or not key or ".." in key.split("/"):
                raise ValueError(f"not a path-style object URL: {self.path}")
            return root / bucket / key

        def _answer(self, status: int, body: bytes = b"", content_type: str = "application/xml") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self._path()
            if path.is_file():
                self._answer(200, path.read_bytes(), "application/octet-stream")
            else:
                self._answer(404, NO_SUCH_KEY)

        def do_PUT(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if "aws-chunked" in self.headers.get("Content-Encoding", ""):
                raise ValueError("aws-chunked uploads are not read by this stand-in")
            path = self._path()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            self._answer(200)

        def log_message(self, format, *args) -> None:  # noqa: A002 - quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
