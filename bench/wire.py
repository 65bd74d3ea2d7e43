"""Bytes on the wire (bench/run.py): a GET over a raw socket, counting every byte
received, and the weight of a first visit to a page with its assets."""

from __future__ import annotations

import socket
import urllib.parse
from html.parser import HTMLParser


def wire_get(port: int, path: str, headers: dict) -> tuple[int, dict, bytes, int]:
    """GET over a raw socket; returns status, headers, body (as sent) and the bytes
    received on the wire (status line + headers + body)."""
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split()[1])
    hdrs = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head_lines[1:])}
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return status, hdrs, body, len(raw)


def _dechunk(data: bytes) -> bytes:
    out, i = [], 0
    while True:
        j = data.index(b"\r\n", i)
        size = int(data[i:j].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[j + 2 : j + 2 + size])
        i = j + 2 + size + 2


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "") and a.get("href"):
            self.urls.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            self.urls.append(a["src"])


def page_weight(port: int, path: str, cookie: str) -> dict:
    """A first visit: the page and every stylesheet/script/image it references,
    each fetched with Accept-Encoding: gzip; bytes as received on the wire."""
    hdr = {"Accept-Encoding": "gzip", "Accept": "text/html"}
    status, h, body, wire = wire_get(port, path, {**hdr, "Cookie": cookie})
    if status != 200:
        raise RuntimeError(f"{path}: HTTP {status}")
    parts = [(path, wire, h.get("content-encoding", "identity"), len(body))]
    parser = _Assets()
    parser.feed(body.decode("utf-8", "replace"))
    for url in parser.urls:
        st, ah, abody, awire = wire_get(port, urllib.parse.urlparse(url).path, hdr)
        if st != 200:
            raise RuntimeError(f"asset {url}: HTTP {st}")
        parts.append((url, awire, ah.get("content-encoding", "identity"), len(abody)))
    return {"total": sum(p[1] for p in parts), "parts": parts}
