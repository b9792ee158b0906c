"""The playgrounds on the built site, in a real browser: type into them and check what appears."""

import gzip
import os
import re
import subprocess
import sys
from contextlib import contextmanager

import pytest

from helpers import ROOT, records
from test_browser import browser, server  # noqa: F401 (fixtures)
from test_playgrounds import load_exported

pytestmark = pytest.mark.browser  # the test matrix (.github/workflows/tests.yml) leaves these out

sys.path.insert(0, str(ROOT / "snippets"))
import training  # noqa: E402
from tokenizer import visible  # noqa: E402

TOKENIZER_PAGE = "text-becomes-numbers/"
SAMPLING_PAGE = "sampling/"
TOKENIZERS = ["ours", "cl100k_base", "o200k_base"]
ROWS_LOADED = """() => {  // the tokenizer playground has its three rows, each with its live tokens
    const rows = [...document.querySelectorAll('.tp-row')];
    return rows.length === 3 && rows.every(row => row.dataset.state === 'ready'
        && / tokens?$/.test(row.querySelector('.tp-count').textContent));
}"""
PAGE_BUDGET = 4_000_000  # bytes, gzip-compressed: everything the tokenizer page loads (the model: test_playgrounds)


@contextmanager
def visit(browser, url, routes=(), **options):
    """A page at url; on leaving, checks that it raised no error, that every request it made
    succeeded, and that none went to another host. routes: (URL pattern, handler) pairs."""
    page = browser.new_page(**options)
    page.set_default_timeout(15_000)  # the slowest wait, the vocabularies, takes a second or two
    for pattern, handler in routes:
        page.route(pattern, handler)
    requested, failed, errors = [], [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url)
        yield page
    finally:
        page.close()
    origin = "/".join(url.split("/")[:3]) + "/"
    elsewhere = [u for u in requested if not u.startswith(origin) and not u.startswith("data:")]
    assert not elsewhere, f"requests to another host: {elsewhere}"
    assert not failed, f"failed requests: {failed}"
    assert not errors, f"errors on the page: {errors}"


def pieces_shown(page, tokenizer):
    return page.locator(f".tp-row[data-tokenizer='{tokenizer}'] .tp-text").all_inner_texts()


def tokenizer_in_use(page):
    """A playground fetches its big files (vocabularies, a model) once a reader starts using it: focus its box."""
    page.locator(".tokenizer-playground textarea").focus()


def sampling_ready(page):
    """Start using the sampling playground, and wait until its model is there."""
    page.locator(".sampling-playground textarea").focus()
    page.wait_for_selector(".sampling-playground[data-state=ready]")


def generated(page):
    """Wait for the sampling playground to finish writing; what it wrote, prompt included."""
    page.wait_for_selector(".sampling-playground[data-state=ready] .sp-output:not([hidden])")
    return page.locator(".sp-output").text_content()


def test_typing_strawberry_shows_the_pages_own_splits(server, browser):
    record = records.recorded("tokens.py")
    if record is None:
        pytest.fail("_freeze/tokens is missing or stale: run `mkdocs build` and commit _freeze/")
    with visit(browser, server + TOKENIZER_PAGE) as page:
        page.locator(".tokenizer-playground textarea").fill("strawberry")
        page.wait_for_function(ROWS_LOADED)
        for name in TOKENIZERS:
            expected = [visible(piece) for piece in record.variables["splits"][name]["strawberry"]]
            assert pieces_shown(page, name) == expected, name
        assert "“strawberry” has 3 r's" in page.locator(".tp-counted").inner_text()
        assert (
            page.locator(".tp-picked").count() == page.locator(".tp-piece").count()
        )  # the word is all of it


def test_before_any_click_it_shows_the_recorded_tokens_of_its_sentence(server, browser):
    """A reader who only scrolls past sees the default sentence's boxes (tokens.py's record), with the
    models a reader knows named first; nothing big is fetched until they use the box."""
    record = records.recorded("tokens.py").variables
    big = []
    with visit(browser, server + TOKENIZER_PAGE) as page:
        page.on(
            "request",
            lambda r: r.url.endswith(("_base.js", "tokenizer.json")) and big.append(r.url),
        )
        page.wait_for_selector(".tp-row[data-state=recorded] .tp-piece")
        assert page.locator(".tokenizer-playground textarea").input_value() == record["QUESTION"]
        for name in TOKENIZERS:
            expected = [visible(piece) for piece in record["splits"][name][record["QUESTION"]]]
            assert pieces_shown(page, name) == expected, name
            ids = page.locator(f".tp-row[data-tokenizer='{name}'] .tp-id").all_inner_texts()
            assert ids == [str(i) for i in record["question_ids"][name]], name
        heads = page.locator(".tp-head strong").all_inner_texts()
        assert heads == ["Ours", "GPT-4", "GPT-4o"]
        head = page.locator(".tp-row[data-tokenizer=o200k_base] .tp-head").inner_text()
        assert "o200k_base" in head
        assert not big, big
        page.locator(".tokenizer-playground textarea").fill("a strawberry")  # live from here on
        page.wait_for_function(ROWS_LOADED)
        assert "".join(pieces_shown(page, "ours")) == visible("a strawberry")


def test_a_character_cut_into_bytes_shows_as_bytes(server, browser):
    with visit(browser, server + TOKENIZER_PAGE) as page:
        page.locator(".tokenizer-playground textarea").fill("🍓")
        page.wait_for_function(ROWS_LOADED)
        assert page.locator(".tp-partial").count() > 0
        assert page.locator(".tp-note").is_visible()


def test_greedy_generation_writes_what_sample_py_writes(server, browser, built_site, tmp_path):
    prompt, tokens = "the cat sat on the ", 80
    model, tokenizer = load_exported(built_site.site / "exports" / "tiny-gpt.safetensors")
    checkpoint = tmp_path / "tiny-gpt.pt"
    training.save(checkpoint, model, tokenizer, settings={}, text="")
    command = [
        sys.executable,
        "snippets/sample.py",
        "--greedy",
        "--prompt",
        prompt,
        "--tokens",
        str(tokens),
        "--checkpoint",
        str(checkpoint),
    ]
    threads = dict(
        os.environ, OMP_NUM_THREADS=str(training.THREADS)
    )  # more only fight over the CPU at this size
    proc = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=threads
    )
    assert proc.returncode == 0, proc.stderr
    with visit(browser, server + SAMPLING_PAGE) as page:
        widget = page.locator(".sampling-playground")
        sampling_ready(page)
        widget.locator("textarea").fill(prompt)
        widget.locator("input[name=greedy]").check()
        widget.locator("input[name=characters]").fill(str(tokens))
        widget.locator("button").click()
        assert generated(page) == proc.stdout.removesuffix("\n")


def test_bad_settings_get_a_message_not_silence(server, browser, built_site):
    _, tokenizer = load_exported(built_site.site / "exports" / "tiny-gpt.safetensors")
    unseen = next(ch for ch in "🍓жé€" if ch not in tokenizer.chars)
    with visit(browser, server + SAMPLING_PAGE) as page:
        widget = page.locator(".sampling-playground")
        sampling_ready(page)
        message, chart = widget.locator(".sp-message"), widget.locator(".sp-chart")
        assert chart.is_visible() and widget.locator(".sp-bar").count() == 10
        for prompt, temperature, said in [
            (
                f"the {unseen} sat",
                "0.8",
                [f'never seen this character, so it cannot read it: "{unseen}"'],
            ),
            ("", "0.8", ["The prompt is empty"]),
            ("the cat", "0", ["above 0, not 0", "greedy"]),
            ("the cat", "-1", ["above 0, not -1", "greedy"]),
        ]:
            widget.locator("textarea").fill(prompt)
            widget.locator("input[name=temperature]").fill(temperature)
            widget.locator("button").click()
            assert all(words in message.inner_text() for words in said), message.inner_text()
            assert not chart.is_visible() and widget.locator(".sp-output").is_hidden()
        widget.locator("input[name=temperature]").fill("0")
        widget.locator("input[name=greedy]").check()  # temperature 0 is fine for greedy
        assert message.inner_text() == "" and chart.is_visible()
        assert widget.locator("input[name=temperature]").is_disabled()  # greedy has no dice


def test_top_k_leaves_k_characters_in_the_chart(server, browser):
    with visit(browser, server + SAMPLING_PAGE) as page:
        widget = page.locator(".sampling-playground")
        sampling_ready(page)
        widget.locator("input[name=top-k]").fill("3")
        assert widget.locator(".sp-bar").count() == 3
        assert "top 3 only" in widget.locator(".sp-caption").inner_text()


def sitemap_at(server):
    """Material navigates instantly only between the pages its sitemap lists, at the site_url the site
    will be published at; the test server has another port, so the sitemap is pointed at it."""

    def rewrite(route):
        response = route.fetch()
        sitemap = response.text()
        home = re.search(r"<loc>([^<]+)</loc>", sitemap)[1]  # the home page comes first
        route.fulfill(response=response, body=sitemap.replace(home, server))

    return rewrite


def test_the_playgrounds_start_after_instant_navigation(server, browser):
    with visit(browser, server, routes=[("**/sitemap.xml", sitemap_at(server))]) as page:
        page.wait_for_load_state("networkidle")  # Material has read the sitemap
        page.evaluate("window.stillTheSamePage = true")  # gone if the browser loads a page afresh
        page.locator(f"nav a[href$='{TOKENIZER_PAGE}']").first.click()
        tokenizer_in_use(page)
        page.wait_for_function(ROWS_LOADED)
        page.locator(f"nav a[href$='{SAMPLING_PAGE}']").first.click()
        sampling_ready(page)
        page.go_back()
        page.wait_for_function(ROWS_LOADED)
        assert page.evaluate("window.stillTheSamePage"), (
            "the links loaded new pages: no instant navigation"
        )
        assert page.locator(".tp-row").count() == 3  # started once


@pytest.mark.parametrize("url", [TOKENIZER_PAGE, SAMPLING_PAGE])
def test_the_playgrounds_fit_a_phone(server, browser, url):
    with visit(browser, server + url, viewport={"width": 360, "height": 740}) as page:
        if url == TOKENIZER_PAGE:
            long_words = "Supercalifragilisticexpialidocious " * 3 + " " * 60 + "🍓"
            page.locator(".tokenizer-playground textarea").fill(long_words)
            page.wait_for_function(ROWS_LOADED)
        else:
            sampling_ready(page)
        widget = page.locator(".tokenizer-playground, .sampling-playground")
        box = widget.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert widget.evaluate("w => w.scrollWidth <= w.clientWidth"), (
            "something sticks out of the widget"
        )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_playgrounds_follow_the_colour_scheme(server, browser, scheme):
    with visit(browser, server + SAMPLING_PAGE, color_scheme=scheme) as page:
        sampling_ready(page)
        colours = page.evaluate("""() => [document.body, document.querySelector('.sampling-playground')]
                                   .map(e => getComputedStyle(e).color)""")
        assert colours[0] == colours[1], "the widget's text is not the page's text colour"


def published_under(server, prefix):
    """The site as if published at server + prefix (like https://user.github.io/repo/): anything asked
    for outside prefix is not found."""

    def serve(route):
        path = route.request.url.removeprefix(server)
        if path.startswith(prefix):
            route.fulfill(response=route.fetch(url=server + path.removeprefix(prefix)))
        else:
            route.fulfill(status=404)

    return serve


def test_the_playgrounds_work_under_a_sub_path(server, browser):
    routes = [(server + "**", published_under(server, "repo/"))]
    with visit(browser, server + "repo/" + TOKENIZER_PAGE, routes=routes) as page:
        tokenizer_in_use(page)
        page.wait_for_function(ROWS_LOADED)
        page.locator(f"nav a[href$='{SAMPLING_PAGE}']").first.click()
        sampling_ready(page)


def test_the_tokenizer_page_weighs_at_most_4_mb_compressed(server, browser):
    page = browser.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(server + TOKENIZER_PAGE, wait_until="networkidle")
    tokenizer_in_use(page)
    page.wait_for_function(ROWS_LOADED)
    page.mouse.wheel(0, 100_000)  # down to the end: lazy images load too
    page.wait_for_load_state("networkidle")
    sizes = {response.url: len(gzip.compress(response.body())) for response in responses}
    page.close()
    total = sum(sizes.values())
    biggest = sorted(sizes.items(), key=lambda item: -item[1])[:5]
    assert any(url.endswith("o200k_base.js") for url in sizes), (
        "the page did not load the vocabularies"
    )
    assert total <= PAGE_BUDGET, f"{total:,} bytes compressed; the biggest: {biggest}"
