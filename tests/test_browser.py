"""The built site in a real browser (Debian's Chromium driven by Playwright): what a reader's browser does."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

from test_site import nav_pages, notebook_pages, page_url

pytestmark = pytest.mark.browser  # the test matrix (.github/workflows/tests.yml) leaves these out

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def server(built_site):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "-d",
            str(built_site.site),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    proc.wait()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("page_src", nav_pages())
def test_page_calls_no_third_party(server, browser, page_src):
    page = browser.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server + page_url(page_src), wait_until="networkidle")
    elsewhere = [
        url for url in requested if not url.startswith(server) and not url.startswith("data:")
    ]
    assert not elsewhere, f"{page_src} requested {elsewhere}"
    assert page.locator("h1").first.is_visible()
    page.close()


def test_results_come_first_and_the_code_is_one_tap_away_with_a_copy_button(server, browser):
    page = browser.new_page()
    page.goto(server + "text-becomes-numbers/", wait_until="networkidle")
    output = page.locator("article > .snippet-output").first  # on the story path, not in a fold
    fold = output.locator("xpath=preceding-sibling::*[1]")
    code = fold.locator("div.language-python")
    # content.lazy: Material adds a block's copy button as it comes into view; and code off screen is
    # not laid out until then (extra.css), so measure where a reader sees it
    output.scroll_into_view_if_needed()
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert output.is_visible() and not code.is_visible(), "the code is not folded away"
    summary = fold.locator("summary")
    assert summary.inner_text().startswith("Show the code")
    gap = output.bounding_box()["y"] - (
        summary.bounding_box()["y"] + summary.bounding_box()["height"]
    )
    assert 0 <= gap < 40, "the output is not right under its code's control"
    summary.click()  # one tap
    assert code.is_visible()
    assert output.bounding_box()["y"] > code.bounding_box()["y"], "the output is not under its code"
    code.locator("button[title='Copy to clipboard']").wait_for()
    page.close()


def test_dark_mode_toggle_switches_scheme(server, browser):
    page = browser.new_page(color_scheme="light")
    page.goto(server, wait_until="networkidle")
    body = page.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    page.locator("label.md-header__button[for^='__palette']").first.click()
    assert body.get_attribute("data-md-color-scheme") == "slate"
    page.close()


def test_search_finds_strawberry(server, browser):
    page = browser.new_page()
    page.goto(server, wait_until="networkidle")
    page.locator(".md-search__input").click()
    page.keyboard.type("strawberry")  # Material searches on key events, which fill() does not send
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    assert page.locator(".md-search-result__item").count() >= 1
    page.close()


@pytest.mark.parametrize("page_src", nav_pages())
def test_no_code_block_scrolls_sideways_at_1280_px(server, browser, page_src):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + page_url(page_src), wait_until="networkidle")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    wide = page.evaluate("""() => [...document.querySelectorAll('pre > code')]
        .filter(code => code.scrollWidth > code.clientWidth + 1)
        .map(code => code.textContent.split('\\n').reduce((a, b) => b.length > a.length ? b : a))""")
    page.close()
    assert not wide, f"{page_src}: these lines scroll sideways: {wide}"


def test_the_code_switch_shows_all_code_and_is_remembered_across_pages(server, browser):
    """The switch under a chapter's title opens every folded code block; the choice holds on the
    next page (Material's instant navigation swaps it in without a reload), after a reload, and off
    again."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "text-becomes-numbers/", wait_until="networkidle")
    switch = page.locator(".page-meta .code-switch")
    folds = "article details.snippet-code"
    states = f"[...document.querySelectorAll('{folds}')].map(d => d.open)"
    assert switch.is_visible() and not any(page.evaluate(states))
    switch.click()
    assert page.locator(".code-switch input").is_checked()
    assert all(page.evaluate(states))
    page.locator("a.md-footer__link--next").click()  # instant navigation: no page load
    page.wait_for_url("**/predict-check-nudge/")
    page.wait_for_function(f"document.querySelectorAll('{folds}').length > 0")
    page.wait_for_function(f"{states}.every(Boolean)")
    assert page.locator(".code-switch input").is_checked()
    page.reload(wait_until="networkidle")
    assert all(page.evaluate(states))
    page.locator(".page-meta .code-switch").click()  # off: folded again, here and on the next page
    assert not any(page.evaluate(states))
    page.goto(server + "sampling/", wait_until="networkidle")
    assert not any(page.evaluate(states))
    assert not page.locator(".code-switch input").is_checked()
    context.close()


def test_a_glossary_term_shows_its_definition_on_tap(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.goto(server + "predict-check-nudge/", wait_until="networkidle")
    term = page.locator("article abbr", has_text="gradient").first
    definition = term.get_attribute("title")
    term.scroll_into_view_if_needed()
    term.tap()
    tooltip = page.locator(".md-tooltip2", has_text=definition[:40])
    tooltip.wait_for()
    box = tooltip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, "the definition runs off the screen"
    context.close()


def test_on_a_touch_screen_headings_carry_no_hidden_pilcrow(server, browser):
    """No hover shows a heading's ¶ link on a touch screen: hidden there, it took a word's room (an
    empty second line under a heading that nearly fills the line) and was read out after each one."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.goto(server + "text-becomes-numbers/", wait_until="load")
    heading = page.locator("article h2").first
    assert "¶" not in page.locator("article").aria_snapshot()
    assert heading.locator(".headerlink").evaluate("a => getComputedStyle(a).display") == "none"
    context.close()


def test_a_glossary_term_shows_its_definition_to_the_keyboard(server, browser):
    """A definition is not for pointers only (WCAG 2.1.1): Tab reaches each marked term, and its
    definition shows while it has the focus."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "predict-check-nudge/", wait_until="networkidle")
    term = page.locator("article abbr", has_text="gradient").first
    definition = term.get_attribute("title")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "ABBR":
            break
    assert page.evaluate("document.activeElement.tagName") == "ABBR", "Tab never reached a term"
    term.focus()
    page.locator(".md-tooltip2", has_text=definition[:40]).wait_for()
    page.close()


@pytest.mark.parametrize("words", ["hallucination", "ChatGPT", "neural network"])
def test_search_finds_a_readers_words_and_no_notebook(server, browser, words):
    page = browser.new_page()
    page.goto(server, wait_until="networkidle")
    page.locator(".md-search__input").click()
    page.keyboard.type(words)
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    links = page.locator(".md-search-result__item a").evaluate_all("as => as.map(a => a.href)")
    assert any("/glossary/" in link for link in links), links
    assert not [link for link in links if "/notebooks/" in link], links
    page.close()


RESULTS_WIDER_THAN_THE_SCREEN = """() => {
    const width = document.documentElement.clientWidth;
    const results = document.querySelectorAll(
        "article .snippet-output pre > code, article .snippet-output pre.snippet-text, "
        + "article .snippet-output table, article .snippet-figure img, "
        + "article .jp-RenderedText pre");  // a notebook page's printed text
    return [...results].filter((e) => e.getClientRects().length > 0)
        .filter((e) => e.scrollWidth > e.clientWidth + 1
            || e.getBoundingClientRect().right > width + 1)
        .map((e) => (e.closest("[data-snippet]") || e).dataset.snippet || e.tagName);
}"""


@pytest.mark.parametrize(
    "page_src", nav_pages() + [f"notebooks/{page[:-3]}.md" for page in notebook_pages()]
)
def test_no_result_scrolls_sideways_on_a_phone(server, browser, page_src):
    """At 390 px, outputs wrap, printed tables fit and figures shrink: no result needs sideways
    scrolling (code, folded, may; a reader who opens it can scroll it). The notebooks' pages too."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_init_script(  # lay out what is off screen too (extra.css skips it till scrolled to)
        """document.addEventListener("DOMContentLoaded", () => {
            const style = document.createElement("style");
            style.textContent = "* { content-visibility: visible !important; }";
            document.head.append(style); })"""
    )
    page = context.new_page()
    page.goto(server + page_url(page_src), wait_until="load")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    wide = page.evaluate(RESULTS_WIDER_THAN_THE_SCREEN)
    whole = page.evaluate("document.documentElement.scrollWidth <= 390")
    context.close()
    assert not wide, f"{page_src}: these results scroll sideways at 390 px: {wide}"
    assert whole, f"{page_src}: the page itself scrolls sideways at 390 px"


@pytest.mark.parametrize(
    "page_src,snippet",
    [
        ("text-becomes-numbers.md", "tokens.py:ids"),
        ("text-becomes-numbers.md", "tokens.py:split"),
        ("predict-check-nudge.md", "train.py:train"),
        ("learns-anyway.md", "facts.py:test"),
        ("big-runs.md", "data_parallel.py:compare"),
        ("sampling.md", "temperature.py:probs"),
    ],
)
def test_aligned_output_is_a_readable_table_on_a_phone(server, browser, page_src, snippet):
    """At 390 px a table a cell printed in aligned columns is a real table (hooks/aligned.py), in a
    font a phone's reader can read (11 px or more, where fitting the printed lines gave 6 to 9 px),
    with no number broken across lines and nothing scrolling sideways; the printed text is one tap away."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server + page_url(page_src), wait_until="load")
    block = page.locator(f'.snippet-output.has-table[data-snippet="{snippet}"]')
    # a table folded away (a "quiet" cell, a "Go deeper") is checked as the reader who opens it sees it
    block.evaluate("""(e) => {
        for (let d = e.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
    }""")
    block.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    found = block.evaluate("""(e) => {
        const table = e.querySelector(".snippet-table table");
        if (!table) return null;
        const cells = [...table.querySelectorAll("td, th")];
        const rows = [...table.querySelectorAll("tr")];
        return {
            rows: rows.length,
            font: Math.min(...cells.map((c) => parseFloat(getComputedStyle(c).fontSize))),
            // each number on one line (its text's boxes all on one row)
            split: [...table.querySelectorAll("td.num")].filter((c) => {
                const range = document.createRange();
                range.selectNodeContents(c);
                return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
            }).length,
            wide: table.scrollWidth > table.parentElement.clientWidth + 1
                || table.getBoundingClientRect().right > 391,
            printed: !!e.querySelector("details.snippet-printed code"),
        };
    }""")
    context.close()
    assert found, f"{snippet}: its aligned columns are not shown as a table"
    assert found["rows"] >= 3, f"{snippet}: a table of {found['rows']} rows"
    assert found["split"] == 0, f"{snippet}: {found['split']} numbers break across lines at 390 px"
    assert not found["wide"], f"{snippet} scrolls sideways at 390 px"
    assert found["font"] >= 11, f"{snippet}: a {found['font']} px font is too small to read"
    assert found["printed"], f"{snippet}: the printed text is not one tap away"


def test_the_copy_button_shows_on_a_touch_screen(server, browser):
    """Material shows the copy button faintly until a pointer hovers the block; a phone has none."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(server + "sampling/", wait_until="networkidle")
    assert page.evaluate("matchMedia('(hover: none)').matches")
    # an output shown as printed text (a printed table keeps its copy button in its plain-text fold)
    output = page.locator(".snippet-output:not(.has-table)").first
    output.scroll_into_view_if_needed()
    button = output.locator("button[title='Copy to clipboard']")
    button.wait_for()
    colours = button.evaluate("""(b) => {
        const rgb = (v) => v.match(/[\\d.]+/g).map(Number);
        const code = b.closest('.highlight').querySelector('pre > code');
        return [rgb(getComputedStyle(b).color), rgb(getComputedStyle(code).backgroundColor)];
    }""")
    context.close()
    (r, g, b, *alpha), (R, G, B, *_) = colours
    a = alpha[0] if alpha else 1
    blended = [a * c + (1 - a) * under for c, under in zip((r, g, b), (R, G, B))]

    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted([luminance(blended), luminance((R, G, B))], reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 3, f"the copy icon is faint: {colours}"


def test_a_tap_or_click_enlarges_a_figure_in_place_on_a_phone_and_a_computer(server, browser):
    """The image file alone is drawn no bigger than the page's figure (smaller, on a phone): a tap or
    a click doubles the figure in place (it scrolls inside its own box, and says it is expanded), a
    second one shrinks it back."""
    for width, touch in ((390, True), (1280, False)):
        context = browser.new_context(viewport={"width": width, "height": 844}, has_touch=touch)
        page = context.new_page()
        page.goto(server + "predict-check-nudge/", wait_until="load")
        figure = page.locator("article .snippet-figure").first
        image, link = figure.locator("img:visible"), figure.locator(".snippet-figure-link:visible")
        image.scroll_into_view_if_needed()
        before = image.bounding_box()["width"]
        assert link.get_attribute("aria-expanded") == "false"
        image.tap() if touch else image.click()
        assert page.url.endswith("/predict-check-nudge/"), f"the {width} px page left for the image"
        assert image.bounding_box()["width"] > 1.9 * before, width
        assert link.get_attribute("aria-expanded") == "true"
        assert page.evaluate(f"document.documentElement.scrollWidth <= {width}"), "scrolls sideways"
        image.tap() if touch else image.click()
        assert image.bounding_box()["width"] == pytest.approx(before, abs=1)
        assert link.get_attribute("aria-expanded") == "false"
        context.close()


def test_each_figure_is_one_stop_for_tab_and_a_screen_reader_in_either_scheme(server, browser):
    """A figure is drawn twice, once per colour scheme: the link of the scheme not shown is hidden
    whole, not just its image (it was a second, invisible tab stop named only "enlarge")."""
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(server + "sampling/", wait_until="load")
        figures = page.locator("article .snippet-figure")
        assert figures.count() > 0
        for k in range(figures.count()):
            shown = figures.nth(k).locator(".snippet-figure-link:visible")
            assert shown.count() == 1, (scheme, k)
            assert shown.locator("img").get_attribute("alt")
        stops = page.evaluate(
            """[...document.querySelectorAll("article .snippet-figure-link")]
                .filter(a => getComputedStyle(a).display !== "none").length"""
        )
        assert stops == figures.count(), scheme
        context.close()


def test_on_a_phone_the_closed_menu_and_search_are_no_stops_before_the_chapter(server, browser):
    """Off screen but focusable, the closed menu put some 30 links, and the closed search box one
    field, between "Skip to content" and the chapter for Tab and a screen reader's swipes."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.goto(server + "sampling/", wait_until="load")
    for _ in range(6):
        page.keyboard.press("Tab")
        where = page.evaluate(
            """(() => { const e = document.activeElement;
                return e.closest(".md-sidebar--primary, .md-search") ? e.outerHTML : null; })()"""
        )
        assert where is None, f"a Tab stop in the closed menu or search: {where}"
    drawer = page.locator(".md-sidebar--primary")
    assert drawer.evaluate("e => getComputedStyle(e).visibility") == "hidden"
    page.locator("label.md-header__button[for=__drawer]").click()
    page.wait_for_timeout(400)  # it slides in
    assert drawer.evaluate("e => getComputedStyle(e).visibility") == "visible"
    assert drawer.get_by_role("link", name=re.compile("Predict, check, nudge")).first.is_visible()
    page.evaluate("document.querySelector('#__drawer').click()")
    page.locator("label.md-header__button[for=__search]").click()
    page.keyboard.type("temperature")
    page.wait_for_selector(".md-search-result__item")
    context.close()
