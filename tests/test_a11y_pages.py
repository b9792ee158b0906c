"""Every reader: the built site passes axe-core's WCAG 2.1 A and AA rules on every page, in both colour
schemes, at a desktop's width and a phone's. (A file of its own: the suite's longest test, so that
`pytest -n 2 --dist loadfile` can run it beside test_a11y.py's other checks.)"""

import pytest

from test_a11y import (
    DESKTOP,
    PHONE,
    SCHEMES,
    TABS,
    WIDGETS_DRAWN,
    audit_result,
    audited_context,
    report,
    scheme_of,
    settle,
    site_pages,
    start_audit,
    toggle_scheme,
)
from test_browser import browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser  # the test matrix (.github/workflows/tests.yml) leaves these out


def test_every_page_passes_wcag_2_1_aa_in_both_colour_schemes(server, browser, built_site):
    """Each page is checked as it opens (the "Show all the code" switch on), 1280 px wide, then in the
    other colour scheme (Material's palette toggle) 390 px wide, as on a phone. Material keeps the
    reader's choice of scheme, so the pages open alternately light and dark: each scheme is checked at
    both widths. Pages are checked side by side."""
    pages = site_pages(built_site.site)
    assert len(pages) >= 16, pages  # home, 7 chapters, Run it yourself, 7 notebooks, 404
    context = audited_context(browser, color_scheme="light")
    tabs = [context.new_page() for _ in range(TABS)]
    found = {}
    for batch in range(0, len(pages), TABS):
        urls = list(zip(tabs, pages[batch : batch + TABS]))
        for tab, url in urls:
            tab.set_viewport_size(DESKTOP)
            tab.goto(server + url, wait_until="load")
            tab.wait_for_function(WIDGETS_DRAWN)
            settle(tab)
            start_audit(tab)
        for tab, url in urls:
            found[(url or "(home)", scheme_of(tab), DESKTOP["width"])] = audit_result(tab)
            toggle_scheme(tab)
            tab.set_viewport_size(PHONE)
            settle(tab)
            start_audit(tab)
        for tab, url in urls:
            found[(url or "(home)", scheme_of(tab), PHONE["width"])] = audit_result(tab)
    context.close()
    for scheme in SCHEMES.values():
        assert {url for url, audited, _ in found if audited == scheme} == {
            url or "(home)" for url in pages
        }, scheme
    failures = {
        f"{url} ({scheme}, {width} px)": v for (url, scheme, width), v in found.items() if v
    }
    assert not failures, f"WCAG 2.1 A/AA violations:\n{report(failures)}"
