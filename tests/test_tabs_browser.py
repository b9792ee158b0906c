"""Run it yourself opens its system tabs on the reader's own system (docs/assets/code-switch.js): a Mac
sees macOS, a Windows PC Windows, until the reader picks a tab, which then wins on every page."""

import pytest

from test_browser import browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

AGENTS = {
    "macOS": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36",
    "Windows": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36",
    "Linux": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36",
    # on a phone, the laptop it most likely goes with
    "iPhone": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
}

SHOWN = """() => [...document.querySelectorAll("article .tabbed-set")].map((set) => {
    const input = set.querySelector(":scope > input:checked");
    return set.querySelector(`:scope > .tabbed-labels > label[for="${input.id}"]`).textContent.trim();
})"""


def open_tabs(page):
    """The label of the tab each system tab set of the page shows."""
    shown = page.evaluate(SHOWN)
    assert len(shown) >= 4, shown  # steps 1, 3, 4 and the download
    return shown


@pytest.mark.parametrize("system", ["macOS", "Windows", "Linux", "iPhone"])
def test_the_system_tabs_open_on_the_readers_system(server, browser, system):  # noqa: F811
    context = browser.new_context(user_agent=AGENTS[system], viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server + "run-it-yourself/", wait_until="load")
    expected = "macOS" if system == "iPhone" else system
    assert set(open_tabs(page)) == {expected}
    # what the reader sees: that system's commands
    # (text_content: code off screen is not laid out, so inner_text would leave it out)
    panel = page.locator("article .tabbed-set").nth(1).locator(".tabbed-block:visible")
    assert ("python3.14 -m venv" in panel.text_content()) == (expected == "macOS")
    assert ("py -m venv" in panel.text_content()) == (expected == "Windows")
    context.close()


def test_a_tab_the_reader_picks_wins_over_the_guess(server, browser):  # noqa: F811
    context = browser.new_context(user_agent=AGENTS["macOS"])
    page = context.new_page()
    page.goto(server + "run-it-yourself/", wait_until="load")
    page.locator("article .tabbed-set").first.get_by_text("Linux", exact=True).click()
    assert set(open_tabs(page)) == {"Linux"}  # linked: every set switches with it
    page.goto(server + "run-it-yourself/", wait_until="load")
    assert set(open_tabs(page)) == {"Linux"}
    context.close()
