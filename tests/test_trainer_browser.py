"""The "train it here" widget on the built site, in a real browser: it trains offline, its loss falls and
its sample changes while no task on the page's main thread takes 50 ms of CPU time (the worker does the
math), pause, resume and reset work, bad input gets a message, and a keyboard is enough.
About 20 s of training in all, on this machine (the speed itself: benchmarks/trainer_speed.py)."""

import json
import re

import pytest

from helpers import ROOT
from test_browser import browser, server  # noqa: F401 (fixtures)
from test_playground_browser import visit

pytestmark = pytest.mark.browser

PAGE = "predict-check-nudge/"
WIDGET = ".trainer-playground"
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
TRAINER_FILES = re.compile(r"vendor/tfjs/|trainer-worker\.js|python-reference\.txt")


def main_thread_tasks(trace):
    """[(wall ms, CPU ms)] of every task the page's main thread ran in a Chromium trace. The CPU time is the
    thread's own work; the wall time also counts waiting for a core, which other programs on a busy
    machine stretch."""
    events = json.loads(trace)
    events = events["traceEvents"] if isinstance(events, dict) else events
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e["args"]["name"] == "CrRendererMain"
    }
    return [
        (e.get("dur", 0) / 1000, e.get("tdur", 0) / 1000)
        for e in events
        if e.get("name") == "RunTask" and e.get("ph") == "X" and (e["pid"], e["tid"]) in main
    ]


def state(page):
    return page.locator(WIDGET).get_attribute("data-state")


def step(page):
    return int(page.locator(f"{WIDGET} .tr-step").inner_text().split()[0].replace(",", ""))


def losses(page):
    """(step, training bits, held-out bits) as the widget shows them: the chart's words."""
    label = page.locator(f"{WIDGET} svg").get_attribute("aria-label")
    numbers = [float(n) for n in re.findall(r"\d+\.\d+", label)]
    return int(re.search(r"up to step (\d+)", label)[1]), numbers[:2], numbers[2:]


def press_tab_until(page, selector, most=30):
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_it_trains_offline_and_by_keyboard(server, browser):
    requested = []
    with visit(browser, server + PAGE) as page:
        page.on("request", lambda request: requested.append(request.url))
        page.set_default_timeout(60_000)
        page.wait_for_selector(f"{WIDGET}[data-state=idle]")
        page.wait_for_load_state("networkidle")
        assert not [u for u in requested if TRAINER_FILES.search(u)], (
            "the trainer loaded before anyone pressed Train"
        )
        # its stylesheet is the page's own (mkdocs.yml), not one the script adds
        assert (
            page.evaluate(
                "[...document.styleSheets].filter(s => /trainer\\.css/.test(s.href || '')).length"
            )
            == 1
        )

        # by keyboard alone: Tab to Train, Enter
        page.locator(f"{WIDGET} input[type=radio]").first.focus()
        press_tab_until(page, f"{WIDGET} .tr-train")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", "the focused button shows no outline"
        page.keyboard.press("Enter")
        page.wait_for_selector(f"{WIDGET}[data-state=training]")
        browser.start_tracing(
            page=page, categories=["devtools.timeline", "disabled-by-default-devtools.timeline"]
        )
        assert [u for u in requested if TRAINER_FILES.search(u)], "Train fetched nothing"
        first_sample = page.locator(f"{WIDGET} .tr-sample").inner_text()

        # the second sample (step 50): the loss has fallen and the sample changed
        page.wait_for_function(f"document.querySelector('{WIDGET}').dataset.sampledAt >= 50")
        at, train, heldout = losses(page)
        assert at >= 50
        assert train[1] < train[0] - 1 and heldout[1] < heldout[0] - 1, (train, heldout)
        assert page.locator(f"{WIDGET} .tr-sample").inner_text() != first_sample
        assert page.locator(f"{WIDGET} .tr-guesses li").count() == 5
        # the time spent and an estimate of the time left, and why held-out text can score better
        page.wait_for_function(
            f"/left$/.test(document.querySelector('{WIDGET} .tr-time').textContent)"
        )
        assert re.fullmatch(
            r"\d+:\d\d so far, (about \d+ min|under a minute) left",
            page.locator(f"{WIDGET} .tr-time").inner_text(),
        )
        assert "validation text" in page.locator(f"{WIDGET} .tr-why").inner_text().lower()
        tasks = main_thread_tasks(browser.stop_tracing())
        assert len(tasks) > 20, "the trace caught no work on the page's main thread"
        longest = max(tasks, key=lambda task: task[1])
        assert longest[1] < 50, (
            f"a main-thread task took {longest[1]:.0f} ms of CPU time while it trained"
        )

        # pause (Space, the focus is still on the button), and it stays put; resume (Enter), and it goes on
        page.keyboard.press(" ")
        page.wait_for_selector(f"{WIDGET}[data-state=paused]")
        paused_at = step(page)
        page.wait_for_timeout(1500)
        assert step(page) == paused_at
        assert "Paused" in page.locator(f"{WIDGET} .tr-message").inner_text()
        page.keyboard.press("Enter")
        page.wait_for_selector(f"{WIDGET}[data-state=training]")
        page.wait_for_function(
            f"Number(document.querySelector('{WIDGET} .tr-step').textContent.split(' ')[0]) > {paused_at}"
        )

        # reset: back to the start, and Train starts a new run from step 0
        press_tab_until(page, f"{WIDGET} .tr-reset")
        page.keyboard.press("Enter")
        assert state(page) == "idle"
        assert page.locator(f"{WIDGET} .tr-results").is_hidden()
        page.wait_for_function(  # what a screen reader hears (dom.announcer, like the other widgets)
            f"document.querySelector('{WIDGET} .pg-announce').textContent.startsWith('Reset')"
        )
        page.locator(f"{WIDGET} .tr-train").click()
        page.wait_for_selector(f"{WIDGET}[data-state=training]")
        page.wait_for_function(
            f"document.querySelector('{WIDGET} svg')?.getAttribute('aria-label').includes('up to step 0')"
        )
        page.locator(f"{WIDGET} .tr-reset").click()


BAD_TEXTS = [
    ("", "too short to learn from: 0 characters"),
    ("the cat sat on the mat. " * 20, "too short to learn from: 480 characters"),
    ("the cat sat on the mat.\u0000 " * 60, "not text (U+0000)"),
    ("".join(chr(0x4E00 + i) for i in range(300)) * 5, "300 different characters"),
    ("a" * 2_000_001, "too long for a browser tab"),
]


def test_bad_text_gets_one_clear_message(server, browser):
    with visit(browser, server + PAGE) as page:
        widget = page.locator(WIDGET)
        page.wait_for_selector(f"{WIDGET}[data-state=idle]")
        widget.locator("input[value=own]").check()
        assert widget.locator("textarea").is_visible()
        for text, said in BAD_TEXTS:
            widget.locator("textarea").evaluate("(box, text) => { box.value = text; }", text)
            widget.locator(".tr-train").click()
            page.wait_for_function(
                "([selector, said]) => document.querySelector(selector)?.textContent.includes(said)",
                arg=[f"{WIDGET} .tr-message.tr-problem", said],
                timeout=30_000,
            )
            assert state(page) == "idle" and widget.locator(".tr-results").is_hidden()
            page.wait_for_function(  # a screen reader hears it too
                "([selector, said]) => document.querySelector(selector).textContent.includes(said)",
                arg=[f"{WIDGET} .pg-announce", said],
            )
        widget.locator("input[name=seed]").fill("-3")
        widget.locator(".tr-train").click()
        assert (
            "The seed must be a whole number from 0 to 2,147,483,647, not -3."
            in widget.locator(".tr-message").inner_text()
        )
        assert state(page) == "idle"


def test_it_trains_on_pasted_text(server, browser):
    text = "".join(
        f"Line {i}: the quick brown fox jumps over the lazy dog, and then it naps.\n"
        for i in range(60)
    )
    with visit(browser, server + PAGE) as page:
        widget = page.locator(WIDGET)
        page.wait_for_selector(f"{WIDGET}[data-state=idle]")
        widget.locator("input[value=own]").check()
        widget.locator("textarea").fill(text)
        widget.locator(".tr-train").click()
        page.wait_for_selector(f"{WIDGET}[data-state=training]", timeout=60_000)
        page.wait_for_function(f"document.querySelector('{WIDGET} svg')", timeout=30_000)
        assert "the cat sat on the" in widget.locator(".tr-caption").first.inner_text()
        widget.locator(".tr-reset").click()


def contrast(colour, background):
    """WCAG 2.1's contrast ratio of a colour (its alpha blended onto the opaque background)."""
    *rgb, alpha = colour
    a, b = [alpha * c + (1 - alpha) * under for c, under in zip(rgb, background)], background[:3]

    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


COLOURS = """() => {  // [r, g, b, alpha]
    const rgb = (value) => { const [r, g, b, a = 1] = value.match(/\\d+(\\.\\d+)?/g).map(Number); return [r, g, b, a]; };
    const widget = document.querySelector('.trainer-playground');
    const style = (selector, property) => rgb(getComputedStyle(widget.querySelector(selector))[property]);
    return {
        background: rgb(getComputedStyle(widget).backgroundColor),
        text: rgb(getComputedStyle(widget).color),
        muted: style('.tr-stats dt', 'color'),
        train: style('.tr-line-train', 'stroke'),
        heldout: style('.tr-line-heldout', 'stroke'),
        bars: style('.tr-fill', 'backgroundColor'),
    };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_readable_in_both_schemes_and_on_a_phone(server, browser, scheme):
    with visit(
        browser,
        server + PAGE,
        color_scheme=scheme,
        viewport={"width": 390, "height": 844},
        reduced_motion="reduce",
    ) as page:
        widget = page.locator(WIDGET)
        page.wait_for_selector(f"{WIDGET}[data-state=idle]")
        widget.locator(".tr-train").click()
        page.wait_for_selector(f"{WIDGET} .tr-guesses li", timeout=60_000)
        widget.locator(".tr-train").click()  # pause
        page.wait_for_selector(f"{WIDGET}[data-state=paused]", timeout=30_000)
        if (
            AXE.is_file()
        ):  # axe-core's WCAG 2.1 A/AA rules on the widget as it is now, results and all
            page.evaluate(AXE.read_text(encoding="utf-8"))
            violations = page.evaluate(
                """async (tags) => (await axe.run('.trainer-playground',
                { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }))
                .violations.map(v => [v.id, v.nodes.map(n => n.target), v.nodes[0].failureSummary])""",
                ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
            )
            assert not violations, violations
        colours = page.evaluate(COLOURS)
        assert colours["background"][3] == 1, colours
        for name in ["text", "muted"]:
            assert contrast(colours[name], colours["background"]) >= 4.5, (name, colours)
        for name in ["train", "heldout", "bars"]:  # graphics: 3:1 (WCAG 1.4.11); ours reach 4.5
            assert contrast(colours[name], colours["background"]) >= 4.5, (name, colours)
        box = widget.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        # the chart's axis numbers, as big as they come out on the screen (the chart scales)
        sizes = widget.locator(".tr-chart svg").evaluate(
            """svg => [...svg.querySelectorAll('text')].map(t =>
            parseFloat(getComputedStyle(t).fontSize) * svg.getBoundingClientRect().width
            / svg.viewBox.baseVal.width)"""
        )
        assert sizes and min(sizes) >= 12, f"the chart's numbers are {min(sizes or [0]):.1f} px"
        assert widget.evaluate("w => w.scrollWidth <= w.clientWidth"), (
            "something sticks out of the widget"
        )
        duration = widget.locator(".tr-fill").first.evaluate(
            "e => getComputedStyle(e).transitionDuration"
        )
        assert float(duration.removesuffix("s")) < 0.01, (
            f"the bars still glide ({duration}) with reduced motion"
        )
        widget.locator(".tr-reset").click()
