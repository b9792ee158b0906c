"""Lighthouse's performance and accessibility scores for every page of the site, on a phone: its
default mobile emulation and throttling (a mid-range phone on a slow 4G network), with the site
served gzip-compressed, as GitHub Pages serves it. A benchmark, not a test: a page takes ~20 s.

    python benchmarks/lighthouse.py                        # build the site from the records, then score it
    python benchmarks/lighthouse.py --site /tmp/site       # score a site built already
    python benchmarks/lighthouse.py --pages sampling/ ''   # only these pages ('' is the home page)

Lighthouse 12.2.3 (it runs on Node 20) is installed on first use into ~/.cache/llms101/lighthouse,
outside the repository; it starts Debian's Chromium (/usr/bin/chromium) through chrome-launcher.
Scores move a few points between runs, and more on a busy machine (Lighthouse simulates the phone
from what it measures here): --runs N keeps each page's median.
"""

import argparse
import gzip
import http.server
import io
import json
import mimetypes
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = "12.2.3"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "llms101" / "lighthouse"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# What GitHub Pages compresses: text, not binaries (a .safetensors file goes as it is).
COMPRESSED = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/xml",
    "application/manifest+json",
)
mimetypes.add_type("application/javascript", ".mjs")
mimetypes.add_type("application/javascript", ".js")
mimetypes.add_type("application/x-ipynb+json", ".ipynb")


def build_site(folder):
    """The site from the records, running no snippet (others' stale records only warn)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", LLMS101_FROZEN="1")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--no-strict", "-q", "--site-dir", str(folder)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return folder


def pages_of(site):
    """Every page's URL path: '' for the home page, 'sampling/', 'notebooks/sampling/', ..."""
    found = [page.parent.relative_to(site).as_posix() + "/" for page in site.rglob("index.html")]
    return sorted("" if url == "./" else url for url in found)


def serve(site):
    """A local server that sends text gzip-compressed to a browser that accepts it; returns its URL."""
    cache = {}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, *args):
            pass

        def send_head(self):
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                if not self.path.split("?")[0].endswith("/"):
                    return super().send_head()  # the redirect to the folder's URL
                path = path / "index.html"
            kind = self.guess_type(str(path))
            if (
                not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")
                or not kind.startswith(COMPRESSED)
            ):
                return super().send_head()
            if path not in cache:
                cache[path] = gzip.compress(path.read_bytes(), 6)
            body = cache[path]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=600")  # what GitHub Pages sends
            self.end_headers()
            return io.BytesIO(body)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}/", server


def lighthouse_cli():
    cli = CACHE / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.is_file():
        print(f"installing Lighthouse {LIGHTHOUSE} into {CACHE} (once)", flush=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(CACHE),
                "--no-audit",
                "--no-fund",
                f"lighthouse@{LIGHTHOUSE}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return cli


def score(cli, url, out):
    """One Lighthouse run (mobile, default throttling) of url: its report, as JSON."""
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    command = [
        "node",
        str(cli),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility",
        "--chrome-flags=--headless --no-sandbox --disable-gpu",
    ]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not Path(out).is_file():
        raise RuntimeError(f"Lighthouse failed on {url}:\n{proc.stderr[-3000:]}")
    return json.loads(Path(out).read_text())


def summary(report):
    categories, audits = report["categories"], report["audits"]
    metric = lambda name: audits[name].get("numericValue", float("nan"))  # noqa: E731
    failed = [
        ref["id"]
        for ref in categories["accessibility"]["auditRefs"]
        if ref["weight"] > 0 and audits[ref["id"]].get("score") not in (None, 1)
    ]
    return {
        "performance": round(100 * categories["performance"]["score"]),
        "accessibility": round(100 * categories["accessibility"]["score"]),
        "fcp": metric("first-contentful-paint") / 1000,
        "lcp": metric("largest-contentful-paint") / 1000,
        "tbt": metric("total-blocking-time"),
        "cls": metric("cumulative-layout-shift"),
        "bytes": metric("total-byte-weight") / 1000,
        "failed": failed,
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--site", type=Path, help="a built site (default: build one from the records)"
    )
    parser.add_argument("--pages", nargs="*", help="URL paths to score (default: every page)")
    parser.add_argument(
        "--runs", type=int, default=1, help="runs per page; the median is shown (default 1)"
    )
    parser.add_argument("--json", type=Path, help="also write the table here, as JSON")
    parser.add_argument(
        "--reports", type=Path, help="keep each page's Lighthouse report (JSON) in this folder"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="llms101-lighthouse-"))
    try:
        site = args.site or build_site(work / "site")
        pages = pages_of(site) if args.pages is None else args.pages
        cli = lighthouse_cli()
        base, server = serve(site)
        header = f"{'page':32} {'perf':>4} {'a11y':>4} {'FCP s':>6} {'LCP s':>6} {'TBT ms':>7} {'CLS':>5} {'kB':>6}  failing a11y audits"
        print(header, flush=True)
        rows = {}
        for url in pages:
            runs = []
            for run in range(args.runs):
                report = score(cli, base + url, work / "report.json")
                if args.reports:
                    args.reports.mkdir(parents=True, exist_ok=True)
                    name = (url.strip("/").replace("/", "-") or "home") + f"-{run + 1}.json"
                    (args.reports / name).write_text(json.dumps(report))
                runs.append(summary(report))
            row = sorted(runs, key=lambda run: run["performance"])[len(runs) // 2]
            row["performance_runs"] = [run["performance"] for run in runs]
            rows[url or "(home)"] = row
            print(
                f"{url or '(home)':32} {row['performance']:4d} {row['accessibility']:4d} {row['fcp']:6.1f} "
                f"{row['lcp']:6.1f} {row['tbt']:7.0f} {row['cls']:5.2f} {row['bytes']:6.0f}  "
                f"{' '.join(row['failed'])}",
                flush=True,
            )
        server.shutdown()
        low = [
            url
            for url, row in rows.items()
            if row["performance"] < 90 or row["accessibility"] < 100
        ]
        print(
            f"\n{len(rows) - len(low)} of {len(rows)} pages score at least 90 for performance and 100 for "
            f"accessibility" + (f"; not: {', '.join(low)}" if low else "")
        )
        print(
            f"(median of {args.runs} run(s) per page; load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} CPUs: Lighthouse's simulated phone is slower on a busy machine)"
        )
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
