"""How each page of the built site reads as a story, measured in a real browser (Debian's Chromium,
driven by Playwright) at a phone's width, 390 px. A benchmark, not a test: about a second a page.

    python benchmarks/story.py                    # build the site from the records, measure it
    python benchmarks/story.py --site /tmp/site   # measure a site built already
    python benchmarks/story.py --pages strawberry/ sampling/ --json story.json

For each page:
- words: the words a reader sees without opening anything (code, outputs, folded blocks, footnotes,
  figures and diagrams left out), counted by the same rules as the reading time under each chapter's
  title (hooks/reader.py), and minutes at 238 words a minute;
- diagrams (inline SVG pictures of an idea) and figures (charts drawn by a run);
- code %: the share of the page's height on a phone taken by code a reader sees unfolded (code
  blocks outside any closed fold; outputs are results, not code);
- sideways: results (outputs, printed tables, figures) that scroll sideways or reach past the right
  edge at 390 px. It should be 0 on every page.
"""

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}

sys.path.insert(0, str(ROOT / "hooks"))
import reader  # noqa: E402  (the reading time's own rules)

# Off-screen code skips layout until a reader scrolls near it (extra.css): lay everything out, so
# that heights are real ones, not the placeholders content-visibility gives.
LAY_OUT_EVERYTHING = """document.addEventListener("DOMContentLoaded", () => {
    const style = document.createElement("style");
    style.textContent = "* { content-visibility: visible !important; }";
    document.head.append(style);
})"""

MEASURE = """() => {
    const article = document.querySelector("article");
    const folded = (e) => {
        for (let d = e.closest("details"); d; d = d.parentElement.closest("details")) {
            if (!d.open) return true;
        }
        return false;
    };
    const seen = (e) => !folded(e) && e.getClientRects().length > 0;
    const code = [...article.querySelectorAll(".highlight")]
        .filter((e) => !e.closest(".snippet-output") && !e.parentElement.closest(".highlight"))
        .filter(seen);
    const codeHeight = code.reduce((sum, e) => sum + e.getBoundingClientRect().height, 0);
    const results = [...article.querySelectorAll(
        ".snippet-output pre > code, .snippet-output pre.snippet-text, .snippet-output table, "
        + ".snippet-figure img")]
        .filter(seen);
    const width = document.documentElement.clientWidth;
    const sideways = results.filter((e) => {
        const box = e.getBoundingClientRect();
        return e.scrollWidth > e.clientWidth + 1 || box.right > width + 1;
    }).map((e) => (e.closest("[data-snippet]") || e).dataset.snippet || e.tagName);
    return {
        height: document.documentElement.scrollHeight,
        codeHeight,
        diagrams: article.querySelectorAll("figure.diagram").length,
        figures: new Set([...article.querySelectorAll(".snippet-figure img")]
            .filter((img) => !img.classList.contains("only-dark"))
            .map((img) => img.getAttribute("src"))).size,
        sideways,
        pageScrollsSideways: document.documentElement.scrollWidth > width + 1,
    };
}"""


def build_site(folder):
    """The site from the records, running no snippet."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", LLMS101_FROZEN="1")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "--site-dir", str(folder)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return folder


def story_pages(site):
    """{url: menu section} for the pages a reader reads, in the menu's order: home, the chapters, Go
    deeper, Run it yourself (not the notebooks, which are code by design)."""
    import yaml

    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)

    def walk(items, section=None):
        for item in items:
            for title, value in item.items() if isinstance(item, dict) else [(None, item)]:
                if isinstance(value, list):
                    yield from walk(value, title)
                else:
                    yield value, section

    found = {
        "" if src == "index.md" else src[:-3] + "/": section for src, section in walk(config["nav"])
    }
    return {url: section for url, section in found.items() if (site / url / "index.html").is_file()}


def serve(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/", server


def measure(site, pages):
    from playwright.sync_api import sync_playwright

    base, server = serve(site)
    rows = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport=PHONE, has_touch=True)
            context.add_init_script(LAY_OUT_EVERYTHING)
            page = context.new_page()
            for url in pages:
                html = (site / url / "index.html").read_text(encoding="utf-8")
                words = reader.shown_words(article_of(html))
                page.goto(base + url, wait_until="load")
                page.evaluate(
                    "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
                )
                found = page.evaluate(MEASURE)
                rows[url or "(home)"] = {
                    "words": words,
                    "minutes": round(words / reader.WORDS_A_MINUTE, 1),
                    "diagrams": found["diagrams"],
                    "figures": found["figures"],
                    "code_share": round(100 * found["codeHeight"] / found["height"], 1),
                    "phone_screens": round(found["height"] / PHONE["height"], 1),
                    "sideways": found["sideways"],
                    "page_scrolls_sideways": found["pageScrollsSideways"],
                }
            browser.close()
    finally:
        server.shutdown()
    return rows


def article_of(html):
    """The page's article (what the reading time counts), from its built HTML."""
    start = html.index("<article")
    return html[start : html.index("</article>", start)]


def table(rows, chapters):
    lines = [
        "| page | words | min | diagrams | figures | code % of phone height | phone screens "
        "| results scrolling sideways |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for url, row in rows.items():
        sideways = len(row["sideways"]) + row["page_scrolls_sideways"]
        lines.append(
            f"| {url} | {row['words']:,} | {row['minutes']} | {row['diagrams']} | {row['figures']} "
            f"| {row['code_share']} | {row['phone_screens']} | {sideways} |"
        )
    story = [row for url, row in rows.items() if url in chapters]
    if story:
        total = sum(row["words"] for row in story)
        lines.append(
            f"| the chapters | {total:,} | {round(total / reader.WORDS_A_MINUTE, 1)} "
            f"| {sum(r['diagrams'] for r in story)} | {sum(r['figures'] for r in story)} | | "
            f"| {sum(len(r['sideways']) + r['page_scrolls_sideways'] for r in story)} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--site", type=Path, help="a built site (default: build one from the records)"
    )
    parser.add_argument(
        "--pages", nargs="*", help="URL paths to measure (default: the menu's pages)"
    )
    parser.add_argument("--json", type=Path, help="also write the measurements here, as JSON")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"story.py: no Chromium at {CHROMIUM} (apt-get install chromium)")
    work = Path(tempfile.mkdtemp(prefix="llms101-story-"))
    try:
        site = args.site or build_site(work / "site")
        if not (site / "index.html").is_file():
            sys.exit(f"story.py: {site} is not a built site (no index.html)")
        sections = story_pages(site)
        pages = list(sections) if args.pages is None else args.pages
        rows = measure(site, pages)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    chapters = {url or "(home)" for url, section in sections.items() if section == "The chapters"}
    print(table(rows, chapters))
    for url, row in rows.items():
        if row["sideways"]:
            print(f"{url}: results scrolling sideways at 390 px: {', '.join(row['sideways'])}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
