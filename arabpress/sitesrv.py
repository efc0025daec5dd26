"""A static server for a saved copy of the site (the bundled sample, or a generated one).

The saved pages carry the production origin in every absolute URL; the server swaps it
for its own origin in each body it serves, so canonical links, sitemaps and robots.txt
point back at the local copy. Used by ``arabpress demo``, the tests and the benchmarks.

Layout of a site folder::

    pages/<path>/index.html   the page at /<path>/ (files such as robots.txt as they are)
    404.html                  served with status 404 for any path that has no file
    content-types.json        {path: Content-Type} where it is not HTML in UTF-8
    responses.json            optional {path: {"status", "headers", "times"}} overrides

Run it with ``python -m arabpress.sitesrv SITE_DIR --port 0``: the first line printed
is the origin it listens on (or the one given with ``--origin``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, unquote

from twisted.web import resource, server

PRODUCTION_ORIGIN = "https://www.arabpress.example"
DEFAULT_CONTENT_TYPE = "text/html; charset=utf-8"
SAMPLE_SITE = Path(__file__).with_name("sample_site")


def load_json_map(path: Path) -> dict[str, Any]:
    """Return the JSON object in *path*, or an empty one when the file is absent."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


def page_file(pages: Path, url_path: str) -> Path | None:
    """Return the file that holds *url_path*, or None when the site has none."""
    relative = url_path.lstrip("/")
    if ".." in Path(relative).parts:
        return None
    candidate = pages / relative
    if url_path.endswith("/"):
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


class SiteResource(resource.Resource):
    """Serves a site folder, rewriting the production origin to the server's own."""

    isLeaf = True

    def __init__(self, root: Path, request_log: TextIO | None = None) -> None:
        super().__init__()
        self.pages = root / "pages"
        self.not_found = (root / "404.html").read_bytes() if (root / "404.html").is_file() else b""
        self.content_types: Mapping[str, str] = load_json_map(root / "content-types.json")
        self.overrides: Mapping[str, dict[str, Any]] = load_json_map(root / "responses.json")
        self.override_hits: dict[str, int] = {}
        self.request_log = request_log
        self.origin = b""

    def render_GET(self, request: server.Request) -> bytes | int:
        """Answer one GET (HEAD is derived from it by Twisted)."""
        # Percent-escapes decoded, as web servers do: files, content types and overrides
        # are named by the path's characters.
        url_path = unquote(request.path.decode("utf-8", "replace"))
        if self.request_log is not None:
            self.request_log.write(request.uri.decode("utf-8", "replace") + "\n")
            self.request_log.flush()
        override = self._override(url_path)
        if override is not None:
            request.setResponseCode(int(override.get("status", 200)))
            for name, value in override.get("headers", {}).items():
                request.setHeader(name, value)
            if int(override.get("status", 200)) != 200:
                return b""
        file = page_file(self.pages, url_path)
        if file is None:
            if not url_path.endswith("/") and page_file(self.pages, url_path + "/"):
                request.setResponseCode(301)
                request.setHeader("Location", quote(url_path + "/"))
                return b""
            request.setResponseCode(404)
            request.setHeader("Content-Type", DEFAULT_CONTENT_TYPE)
            return self._rewrite(self.not_found)
        request.setHeader("Content-Type", self.content_types.get(url_path, DEFAULT_CONTENT_TYPE))
        body = self._rewrite(file.read_bytes())
        if override is not None and override.get("cut_short"):
            return self._cut_short(request, body)
        return body

    @staticmethod
    def _cut_short(request: server.Request, body: bytes) -> int:
        """Announce twice the body's length, send the body, then drop the connection (a truncated download)."""
        request.setHeader("Content-Length", str(len(body) * 2))
        request.write(body)
        request.channel.loseConnection()
        return server.NOT_DONE_YET

    def _override(self, url_path: str) -> dict[str, Any] | None:
        """Return the override for *url_path* while it still applies."""
        override = self.overrides.get(url_path)
        if override is None:
            return None
        hits = self.override_hits.get(url_path, 0) + 1
        self.override_hits[url_path] = hits
        times = override.get("times")
        if times is not None and hits > int(times):
            return None
        return override

    def _rewrite(self, body: bytes) -> bytes:
        """Point the production origin in *body* at this server."""
        return body.replace(PRODUCTION_ORIGIN.encode("ascii"), self.origin)


def main(argv: list[str] | None = None) -> None:
    """Serve a site folder until interrupted."""
    # Imported here: importing the reactor installs it, which must not happen when the
    # module is only imported (by tests that later start Scrapy's own reactor).
    from twisted.internet import reactor as installed_reactor

    reactor: Any = installed_reactor
    parser = argparse.ArgumentParser(prog="python -m arabpress.sitesrv", description=__doc__.splitlines()[0])
    parser.add_argument(
        "root", nargs="?", type=Path, default=SAMPLE_SITE, help="site folder (default: the bundled sample)"
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (0: any free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--request-log", type=Path, help="append every requested path to this file")
    parser.add_argument(
        "--origin",
        help="origin written into the pages (default http://HOST:PORT); set it when clients reach the server "
        "by another name, e.g. http://site:8123 in docker-compose",
    )
    args = parser.parse_args(argv)
    if not (args.root / "pages").is_dir():
        parser.error(f"{args.root} is not a site folder (no pages/ inside)")
    if args.origin is not None and not args.origin.startswith(("http://", "https://")):
        parser.error(f"--origin must be an http(s) URL such as http://site:8123, not {args.origin!r}")
    log = args.request_log.open("a", encoding="utf-8") if args.request_log else None
    site_resource = SiteResource(args.root, log)
    site = server.Site(site_resource)
    site.displayTracebacks = False
    site.noisy = False
    port = reactor.listenTCP(args.port, site, interface=args.host)
    origin = (args.origin or f"http://{args.host}:{port.getHost().port}").rstrip("/")
    site_resource.origin = origin.encode("ascii")
    print(origin, flush=True)
    reactor.run()
    sys.exit(0)


if __name__ == "__main__":
    main()
