"""Every reader: the built site passes axe-core's WCAG 2.1 A and AA rules on every page in both colour
schemes, and the playgrounds work by keyboard alone, tell a screen reader what they found, hold still
for a reader who asks for less motion, and download their big files only once a reader uses them.

axe-core is vendored in tests/vendor/axe-core/ (see its README) and injected into each page.
"""

import re
import sys
from pathlib import Path

import pytest

from helpers import ROOT
from test_browser import browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser  # the test matrix (.github/workflows/tests.yml) leaves these out

AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCHEMES = {"light": "default", "dark": "slate"}  # the reader's system setting -> Material's scheme
TOKENIZER_PAGE = "text-becomes-numbers/"
SAMPLING_PAGE = "sampling/"
ROWS_LOADED = """() => [...document.querySelectorAll('.tp-row')]
    .every((row, i, all) => all.length === 3 && row.dataset.state === 'ready'
        && / tokens?$/.test(row.querySelector('.tp-count').textContent))"""
# The playgrounds main.js started (data-started) have drawn themselves: no "needs JavaScript" text left.
WIDGETS_DRAWN = (
    "() => [...document.querySelectorAll('[data-started]')].every(root => root.firstElementChild)"
)
TABS = 4  # pages checked side by side
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BIG_FILES = ("cl100k_base.js", "o200k_base.js", "tokenizer.json", "tiny-gpt.safetensors")


def site_pages(site):
    """Every page a reader can open: home, the chapters, Run it yourself, the notebooks, the 404 page."""
    pages = sorted(
        path.parent.relative_to(site).as_posix() + "/" for path in site.rglob("index.html")
    )
    return ["" if page == "./" else page for page in pages] + ["404.html"]


# Off-screen code skips layout until a reader scrolls near it (extra.css), and axe would skip it too:
# the audited pages lay everything out from the start, so that the colours of every line are checked.
LAY_OUT_EVERYTHING = """document.addEventListener("DOMContentLoaded", () => {
    const style = document.createElement("style");
    style.textContent = "* { content-visibility: visible !important; }";
    document.head.append(style);
})"""
# Code sits folded until a reader opens it, and axe skips what is hidden: the audited pages open with
# the reader's "Show all the code" switch on (code-switch.js), so that every code block is checked.
# (test_folded_code_passes_too checks the pages as they open by default, folds closed.)
SHOW_ALL_CODE = """try { localStorage.setItem("llms101.show-code", "on"); } catch (e) {}"""


def audited_context(browser, show_code=True, **settings):
    context = browser.new_context(**settings)
    context.add_init_script(LAY_OUT_EVERYTHING)
    if show_code:
        context.add_init_script(SHOW_ALL_CODE)
    return context


def start_audit(page):
    """Start axe-core's WCAG 2.1 A/AA check of the page as it is now; audit_result(page) waits for it.
    (Pages check side by side, each in its tab's own renderer process.)"""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    page.evaluate(
        "(tags) => { window.audit = axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "resultTypes: ['violations']}); }",
        WCAG,
    )


def audit_result(page):
    """The violations: [(rule, count, first targets, why)]."""
    result = page.evaluate("window.audit")
    return [
        (
            v["id"],
            len(v["nodes"]),
            [n["target"] for n in v["nodes"][:3]],
            v["nodes"][0]["failureSummary"],
        )
        for v in result["violations"]
    ]


def audit(page):
    start_audit(page)
    return audit_result(page)


def report(found):
    """{page: violations} in lines a reader can act on (empty if there are none)."""
    return "\n".join(
        f"{where}: {rule} on {count} element(s), e.g. {targets}: {why}"
        for where, violations in found.items()
        for rule, count, targets, why in violations
    )


def scheme_of(page):
    return page.evaluate("document.body.dataset.mdColorScheme")


def toggle_scheme(page):
    """Click Material's palette toggle (light to dark or back), as a reader does; returns the new scheme."""
    before = page.evaluate("document.body.dataset.mdColorScheme")
    page.locator("label.md-header__button[for^='__palette']:visible").click()
    page.wait_for_function("(before) => document.body.dataset.mdColorScheme !== before", arg=before)
    return page.evaluate("document.body.dataset.mdColorScheme")


def settle(page):
    """Wait two frames (what the page does after a layout: ResizeObservers, Material's set-up), then for
    Material's transitions to end: colours checked halfway through a fade would be neither one."""
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_folded_code_passes_too(server, browser, scheme):
    """A chapter as it opens by default: code folded under its "Show the code" tabs, the switch off."""
    context = audited_context(browser, show_code=False, color_scheme=scheme)
    page = context.new_page()
    found = {}
    for url, size in [("text-becomes-numbers/", PHONE), ("why-does-this-work/", DESKTOP)]:
        page.set_viewport_size(size)
        page.goto(server + url, wait_until="load")
        page.wait_for_function(WIDGETS_DRAWN)
        assert page.locator("details.snippet-code[open]").count() == 0
        assert page.locator(".code-switch input").is_visible()
        settle(page)
        found[url] = audit(page)
    context.close()
    found = {url: violations for url, violations in found.items() if violations}
    assert not found, f"WCAG 2.1 A/AA violations with the code folded ({scheme}):\n{report(found)}"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_playgrounds_in_use_pass_wcag_2_1_aa(server, browser, scheme):
    """What the playgrounds draw once used (coloured tokens, the chart, the written text) is checked too."""
    context = audited_context(browser, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server + TOKENIZER_PAGE)
    page.locator(".tokenizer-playground textarea").fill("strawberry 🍓 naïve")
    page.wait_for_function(ROWS_LOADED)
    found = {TOKENIZER_PAGE: audit(page)}
    page.goto(server + SAMPLING_PAGE)
    widget = page.locator(".sampling-playground")
    widget.locator("textarea").focus()
    page.wait_for_selector(".sampling-playground[data-state=ready]")
    widget.locator("input[name=characters]").fill("40")
    widget.locator("button").click()
    page.wait_for_selector(".sampling-playground[data-state=ready] .sp-output:not([hidden])")
    widget.locator("input[name=temperature]").fill("0")  # and a message saying what is wrong
    assert widget.locator(".sp-message").inner_text()
    found[SAMPLING_PAGE] = audit(page)
    context.close()
    found = {url: violations for url, violations in found.items() if violations}
    assert not found, (
        f"WCAG 2.1 A/AA violations in the playgrounds ({scheme} scheme):\n{report(found)}"
    )


def test_figures_come_in_a_dark_copy_that_the_dark_scheme_shows(server, browser, built_site):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(server + "why-does-this-work/")
    figure = page.locator(".snippet-figure").first
    figure.scroll_into_view_if_needed()
    light, dark = figure.locator("img.only-light"), figure.locator("img.only-dark")
    assert dark.is_visible() and not light.is_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=dark.element_handle())
    svg = (built_site.site / "figures" / Path(dark.get_attribute("src")).name).read_text()
    assert "fill: #ffffff" not in svg, "the dark copy still has a white background"
    assert toggle_scheme(page) == "default"
    assert light.is_visible() and not dark.is_visible()
    context.close()


def test_dark_figures_keep_the_data_legible_and_the_light_ones_untouched(built_site):
    """Every figure's dark copy: no white left, and every colour that is not a grey (the data: lines,
    bars, markers) at least 3:1 against the dark background (WCAG 1.4.11); the light file is the record's."""
    sys.path.insert(0, str(ROOT / "hooks"))
    import figures

    darks = sorted((built_site.site / "figures").glob("*-dark.svg"))
    assert darks
    recorded = {path.name: path for path in (ROOT / "_freeze").glob("*/*.svg")}
    for dark in darks:
        light = dark.with_name(dark.name.replace("-dark.svg", ".svg"))
        assert light.read_bytes() == recorded[light.name].read_bytes(), light.name
        svg = dark.read_text(encoding="utf-8")
        assert "#ffffff" not in svg.lower(), dark.name
        colours = {
            figures.rgb_of(c) for c in re.findall(r"(?:fill|stroke):\s*(#[0-9a-fA-F]{6})", svg)
        }
        neutral = lambda c: max(c) - min(c) <= 12  # noqa: E731 (the greys, flipped: background, frames, axes)
        faint = [
            figures.hex_of(c)
            for c in colours
            if not neutral(c) and figures.contrast(c, figures.BACKGROUND) < figures.LINES
        ]
        assert not faint, f"{dark.name}: {faint} under 3:1 on the dark background"


def focused(page):
    """What has the keyboard's focus: its tag and name, or its text for a button."""
    return page.evaluate("""() => { const e = document.activeElement;
        return e.tagName.toLowerCase() + ':' + (e.name || e.textContent.trim()); }""")


def tab_into(page, selector):
    """Put the keyboard just before a widget (on an empty mark put right above it, so that the links
    and terms of the paragraph above are behind it), then press Tab once."""
    page.wait_for_function(WIDGETS_DRAWN)
    page.evaluate(
        """(selector) => { const mark = document.createElement("span");
        mark.tabIndex = -1; document.querySelector(selector).before(mark); mark.focus(); }""",
        selector,
    )
    page.keyboard.press("Tab")


def announced(page, widget):
    return page.locator(f"{widget} .pg-announce").text_content()


def test_the_tokenizer_playground_by_keyboard_alone(server, browser):
    page = browser.new_page()
    page.set_default_timeout(30_000)
    page.goto(server + TOKENIZER_PAGE)
    tab_into(page, ".tokenizer-playground")
    assert focused(page) == "textarea:"
    page.keyboard.press("Control+A")
    page.keyboard.type("a strawberry")
    page.wait_for_function(ROWS_LOADED)
    assert page.locator(".tp-row[data-tokenizer=ours] .tp-piece").count() >= 2
    # The cursor is in "strawberry": a screen reader hears the counts and the letters, once typing stops.
    page.wait_for_function(
        "() => document.querySelector('.tokenizer-playground .pg-announce').textContent"
        ".includes('“strawberry” has 3 r')"
    )
    assert "GPT-4 (cl100k_base):" in announced(page, ".tokenizer-playground")
    page.keyboard.press("Home")  # the cursor moves to "a": the counter follows it
    page.wait_for_function(
        "() => document.querySelector('.tp-counted').textContent.includes('“a” has no r')"
    )
    page.keyboard.press("Tab")
    assert focused(page) == "input:"  # the letter to count
    page.keyboard.press("Backspace")
    page.keyboard.type("a")
    page.wait_for_function(
        "() => document.querySelector('.tp-counted').textContent.includes('“a” has 1 a.')"
    )
    page.close()


def test_the_sampling_playground_by_keyboard_alone(server, browser):
    page = browser.new_page()
    page.set_default_timeout(30_000)
    page.goto(server + SAMPLING_PAGE)
    tab_into(page, ".sampling-playground")
    order = [focused(page)]
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(focused(page))
    assert order == [
        "textarea:",
        "input:temperature",
        "input:top-k",
        "input:greedy",
        "input:characters",
        "button:Generate",
    ]
    page.wait_for_selector(".sampling-playground[data-state=ready]")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("30")  # characters
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # greedy
    assert page.locator(".sampling-playground input[name=greedy]").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Generate
    page.wait_for_selector(".sampling-playground[data-state=ready] .sp-output:not([hidden])")
    assert len(page.locator(".sp-written").text_content()) == 30
    page.wait_for_function(
        "() => document.querySelector('.sampling-playground .pg-announce').textContent"
        " === 'Done: the model wrote 30 characters, shown under the chart.'"
    )
    page.close()


def test_generate_pressed_before_the_model_is_there_still_writes(server, browser):
    """A reader's first act may be Enter on Generate: the model loads, then it writes."""
    page = browser.new_page(reduced_motion="reduce")  # the text at once: a quicker test
    page.set_default_timeout(30_000)
    page.goto(server + SAMPLING_PAGE)
    page.wait_for_function(WIDGETS_DRAWN)
    page.locator(".sampling-playground button").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".sampling-playground[data-state=ready] .sp-output:not([hidden])")
    assert len(page.locator(".sp-written").text_content()) == 200  # the characters box's default
    page.close()


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_sampling_playground_holds_still_for_reduced_motion(server, browser, motion):
    """Asked for less motion, the text appears once it is written, not one character at a time."""
    page = browser.new_page(reduced_motion=motion)
    page.set_default_timeout(30_000)
    page.goto(server + SAMPLING_PAGE)
    widget = page.locator(".sampling-playground")
    widget.locator("textarea").focus()
    page.wait_for_selector(".sampling-playground[data-state=ready]")
    page.evaluate("""() => { window.seen = new Set();
        const written = document.querySelector('.sp-written');
        new MutationObserver(() => written.textContent && window.seen.add(written.textContent))
            .observe(written, {childList: true, characterData: true, subtree: true}); }""")
    widget.locator("input[name=characters]").fill("20")
    widget.locator("button").click()
    page.wait_for_selector(".sampling-playground[data-state=ready] .sp-output:not([hidden])")
    versions = page.evaluate("window.seen.size")
    # Material's header fades its colours (0.25 s); asked for less motion, it does not
    transition = page.evaluate(
        "getComputedStyle(document.querySelector('.md-header')).transitionDuration"
    )
    page.close()
    if motion == "reduce":
        assert versions == 1 and set(transition.split(", ")) == {"1e-05s"}, (versions, transition)
    else:
        assert versions == 20 and "0.25s" in transition, (versions, transition)


def test_big_files_load_only_once_a_reader_uses_a_playground_and_off_the_main_thread(
    server, browser
):
    context = browser.new_context()
    requested = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    loaded = set()
    sampling_ready = (
        "() => document.querySelector('.sampling-playground').dataset.state === 'ready'"
    )
    for url, widget, ready, worker in [
        (TOKENIZER_PAGE, ".tokenizer-playground", ROWS_LOADED, "tokenizer-worker.js"),
        (SAMPLING_PAGE, ".sampling-playground", sampling_ready, "gpt-worker.js"),
    ]:
        requested.clear()
        page.goto(server + url, wait_until="networkidle")
        page.wait_for_function(WIDGETS_DRAWN)
        assert not [u for u in requested if u.endswith(BIG_FILES)], (
            f"{url} loaded big files nobody asked for"
        )
        assert not [w.url for w in page.workers if w.url.endswith(worker)]
        page.locator(f"{widget} textarea").focus()  # a reader starts using it
        page.wait_for_function(ready, timeout=30_000)
        assert [w.url for w in page.workers if w.url.endswith(worker)], page.workers
        # fetched by the worker: the page's own thread never downloads (nor parses) them
        on_the_page = page.evaluate(
            "performance.getEntriesByType('resource').map(entry => entry.name)"
        )
        assert not [u for u in on_the_page if u.endswith(BIG_FILES)], on_the_page
        loaded |= {name for name in BIG_FILES if any(u.endswith(name) for u in requested)}
    context.close()
    assert loaded == set(BIG_FILES), loaded
