"""The replica rendered to files and served by nginx: a server that is not the bottleneck,
for crawl benchmarks (the Python replica server tops out far below Scrapy's speed).

Paths map to files so that nginx needs no logic: ``/fr/elwatan`` and its ``?page=N`` →
``fr/elwatan/index.html`` / ``index{N}.html``; ``/fr/elwatan/123`` → that file; feeds are
served as RSS.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.replica.site import Replica

NGINX_CONF = """
{user}
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ text/html html; text/plain txt; }}
    default_type text/html;
    charset utf-8;
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root}/site;
        location = /robots.txt {{ default_type text/plain; }}
        location ~ /rss$ {{ default_type application/rss+xml; }}
        location / {{ try_files $uri/index$arg_page.html $uri =404; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_site(replica: Replica, folder: Path, base_url: str) -> list[str]:
    """Render every page to ``folder``; return the URL paths written."""
    written = []
    for key, page in replica.iter_pages(base_url):
        parts = urlsplit(key)
        path = unquote(parts.path).lstrip("/")
        number = parse_qs(parts.query).get("page", [""])[0]
        if page.content_type.startswith("text/html") and not path.rsplit("/", 1)[-1].isdigit():
            target = folder / path / f"index{number}.html"  # a listing or the home page
        else:
            target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.body)
        written.append(key)
    return written


class NginxReplica:
    """``with NginxReplica(replica) as site: site.base_url, site.paths``"""

    def __init__(self, replica: Replica, root: Path) -> None:
        self.nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(self.nginx).exists():
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light)")
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        (root / "tmp").mkdir(parents=True, exist_ok=True)
        self.paths = write_site(replica, root / "site", self.base_url)
        # as root, nginx's workers would drop to "nobody", who cannot read a private temp dir
        user = "user root;" if os.geteuid() == 0 else ""
        (root / "nginx.conf").write_text(NGINX_CONF.format(root=root, port=self.port, user=user))
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> NginxReplica:
        self.process = subprocess.Popen([self.nginx, "-c", str(self.root / "nginx.conf"), "-p", str(self.root)],
                                        stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        self.process.kill()
        raise RuntimeError(f"nginx did not start: {self.process.stderr.read().decode()}")

    def __exit__(self, *exc: object) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)
