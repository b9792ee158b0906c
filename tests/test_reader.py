"""What the build does for a reader (hooks/reader.py and the rendering in hooks/snippets.py): the
words a reader sees unfolded and the reading time they give, printed tables shown as tables, the
glossary's definitions as hover/tap tooltips, notebooks nested in the menu and left out of search,
the home page's reading times. The browser side (the code switch, tooltips, search) is in
test_browser.py."""

import json
import re
import sys
import textwrap
from html import escape

import pytest
from bs4 import BeautifulSoup

from helpers import ROOT
from test_site import nav_pages, page_url

sys.path.insert(0, str(ROOT / "hooks"))
import aligned  # noqa: E402
import reader  # noqa: E402
import snippets  # noqa: E402


def test_words_shown_leave_out_code_outputs_folds_footnotes_and_figures():
    html = """<h1>Title</h1><p>one two three</p>
    <details class="snippet-code"><summary>Show the code</summary>
    <pre><code>x = 1</code></pre></details>
    <div class="snippet-output"><pre><code>printed words here</code></pre></div>
    <details class="deeper" open><summary>Go deeper</summary><p>four five</p></details>
    <details class="deeper"><summary>Folded</summary><p>hidden words</p></details>
    <figure class="diagram"><svg><text>label</text></svg></figure>
    <img src="x.png" alt="an image"><br>
    <div class="footnote"><ol><li>a source</li></ol></div><p>it's well-known</p>"""
    assert reader.shown_words(html) == len(
        "Title one two three Go deeper four five it's well-known".split()
    )


@pytest.mark.parametrize("words,minutes", [(1, 1), (238, 1), (600, 3), (1500, 6), (5000, 21)])
def test_reading_time_is_words_at_238_a_minute(words, minutes):
    assert reader.reading_minutes(words) == minutes


TABLE = """scaling, by width:
| width | weights | loss |
|---|--:|:-:|
| 32 | 1,234 | 2.50 |
| 64 | 5,678 | 2.10 |
done <3"""


def test_a_printed_markdown_table_is_cut_out_of_the_text():
    parts = snippets.output_parts(TABLE)
    assert [kind for kind, _ in parts] == ["text", "table", "text"]
    assert parts[1][1][0] == "| width | weights | loss |"
    assert snippets.output_parts("| not | a table |\nno rule") == [
        ("text", ["| not | a table |", "no rule"])
    ]


def test_a_printed_table_becomes_an_html_table_with_the_printed_text_one_tap_away():
    html = snippets.render_output(TABLE + "\n", "demo.py:cell")
    assert 'class="snippet-output has-table"' in html
    table = BeautifulSoup(snippets.html_table(snippets.output_parts(TABLE)[1][1]), "html.parser")
    assert [th.get_text() for th in table.select("th")] == ["width", "weights", "loss"]
    assert [td.get_text() for td in table.select("tr")[2].select("td")] == ["64", "5,678", "2.10"]
    assert table.select("td")[1]["style"] == "text-align: right"
    assert table.select("td")[2]["style"] == "text-align: center"
    assert "done &lt;3" in html  # the text around it, escaped
    assert '??? snippet-printed "The same output as plain text"' in html
    exact = textwrap.dedent(html[html.index("    ```text") : html.rindex("</div>")])
    assert TABLE in exact  # the printed lines, exactly, for a reader who pastes the code


def test_aligned_output_keeps_its_lines_whole_up_to_50_characters():
    """Aligned text that is no table (sample text beside its numbers) gets the length of its longest
    aligned line (extra.css scales its font to fit a phone, to about 10 px at 50 characters); prose
    lines and a lone aligned line don't count; over 50, it wraps."""
    lines = (
        " 1.2e-19  the cat sat on the QQQQ\n 2.9e-20  the cat sat on the cccc\nand prose "
        + "x" * 80
    )
    html = snippets.render_output(lines + "\n", "demo.py:cell")
    assert 'class="snippet-output snippet-fit"' in html and 'style="--cols: 33"' in html
    assert snippets.fit(["a   b", "just prose, no columns"]) == ("", "")
    assert snippets.fit(["a" * 49 + "  b", "c" * 49 + "  d"]) == ("", "")
    assert snippets.fit(["a" * 46 + "  b", "c" * 46 + "  d"])[0] == " snippet-fit"
    assert snippets.columns("·strawberry\t1") == 17 and snippets.columns("日本  x") == 7
    shown = snippets.render_output(
        "before\n| a | b |\n|---|--:|\n| x | 1 |\nn   #\nm   ##\n", "d:c"
    )
    assert '<pre class="snippet-text snippet-fit" style="--cols: 6">' in shown


def aligned_tables(text):
    return [part for kind, part in aligned.aligned_parts(text.splitlines()) if kind == "aligned"]


def test_aligned_columns_become_a_table_with_titles_and_numbers_right_aligned():
    text = textwrap.dedent("""\
        32 test facts. Does the model write the capital?

        stated in the text   facts  test wording  a wording it read
        1 to 3 times             8           0/8                0/8
        30 to 150 times         10          9/10              10/10
        never (control)         24          0/24
        (a note under it)""")
    parts = aligned.aligned_parts(text.splitlines())
    assert [kind for kind, _ in parts] == ["text", "aligned", "text"]
    table = parts[1][1]
    assert table.head == ["stated in the text", "facts", "test wording", "a wording it read"]
    assert table.rows[-1] == ["never (control)", "24", "0/24", ""]  # a missing last cell is fine
    assert table.numeric == [False, True, True, True]
    html = snippets.render_output(text + "\n", "demo.py:cell")
    soup = BeautifulSoup(html, "html.parser")
    assert [th.get_text() for th in soup.select("thead th")][1] == "facts"
    assert soup.select("tbody tr")[1].select("td")[2]["class"] == ["num"]
    assert '??? snippet-printed "The same output as plain text"' in html
    exact = textwrap.dedent(html[html.index("    ```text") : html.rindex("</div>")])
    assert text in exact  # the printed lines, exactly, for a reader who pastes the code


def test_a_step_log_splits_into_columns_titled_by_its_words():
    log = "\n".join(
        f"step {step:>5}   bits per character: training text {a:.2f}, validation text {b:.2f}"
        for step, a, b in [("160", 3.33, 3.05), ("1,120", 1.94, 2.04), ("1,600", 1.75, 1.93)]
    )
    (table,) = aligned_tables(log)
    assert table.head == ["step", "bits per character: training text", "validation text"]
    assert table.rows[1] == ["1,120", "1.94", "2.04"] and table.numeric == [True, True, True]
    odds = "next    model  bar\n's'     14.5%  ######\n'c'      6.4%  ##"
    (table,) = aligned_tables(odds)
    assert table.bars == [False, False, True] and table.rows[1] == ["'c'", "6.4%", "##"]
    ids = "  piece  H   ow   ·many  ·r   's    ·are  ·in\n  id     39  905  3097   603  3537  357   290"
    (table,) = aligned_tables(ids)  # wide and short: turned, a row per piece
    assert table.head == ["piece", "id"] and table.rows[2] == ["·many", "3097"]
    labels = "loss:           4.5957\nits gradient:  -0.226788\nafter the nudge: +0.048955"
    (table,) = aligned_tables(labels)  # a last "label: number" line with one space joins in
    assert table.rows[2] == ["after the nudge:", "+0.048955"]


@pytest.mark.parametrize(
    "text",
    [
        "s   ###############\nc   #############\nd   ######",  # a bar chart alone
        "T=0.2   the cat sat on the statement is a\nT=0.5   the cat sat on the attribute of",
        " 1.2e-19  the cat sat on the QQQQ\n 2.9e-20  the cat sat on the cccc",  # samples
        "step     0   the cat⏎(DDE\nstep   160   the cat at for",  # sample text with ⏎
        "options:\n  -h, --help     show this help\n  --seed SEED    seed (default 1337)",
        "  -h, --help            show this help\n  --text FILE           a UTF-8 text file\n"
        "                        to train on",  # argparse help, wrapped
        "pretraining:   1200 steps, 3.50e+12 operations\npost-training:   60 steps, 1.75e+11",
        "It's Berlin.    <- right\nwhat is the capital of Australia?\nCanada?    <- no answer",
        "right given  90%: loss 0.11 nats\nright given  50%: loss 0.69 nats",  # rows without names
        "a   b   c\nd   e   f",  # no numbers: aligned words
        "text   'the cat'\nids    [83, 71, 68, 1, 66, 64, 83, 1, 82, 64, 83, 1, 78, 77, 1, 83, 71]",
        "one line  with   runs  7",  # one line is no table
        "total  1,617.2 bits =  202.2 bytes\nwritten:    1624 bits =    203 bytes (2.04 bits)\n"
        "plus a header:     33 bytes, so the file is 236 bytes",  # gaps not common to all lines
    ],
)
def test_what_does_not_split_cleanly_stays_text(text):
    assert aligned_tables(text) == []
    assert "has-table" not in snippets.render_output(text + "\n", "demo.py:cell")


def test_output_without_a_table_is_one_text_block():
    html = snippets.render_output("a | b\nplain\n", "demo.py:cell")
    assert "has-table" not in html and "```text" in html


GLOSSARY = """# Glossary

Intro text.

token
:   A chunk of text, see [the chapter](text.md).[^src] It is **short**.

neural network
:   A function with weights,
    learned from examples.

large language model
LLM
:   A model with billions of weights.

[^src]: A source.
"""


def test_glossary_entries_are_plain_text():
    assert reader.glossary_entries(GLOSSARY) == [
        (["token"], "A chunk of text, see the chapter. It is short."),
        (["neural network"], "A function with weights, learned from examples."),
        (["large language model", "LLM"], "A model with billions of weights."),
    ]


def test_a_term_is_marked_in_the_forms_the_prose_uses():
    assert reader.forms("token") == ["token", "Token", "tokens", "Tokens"]
    assert reader.forms("neural network") == [
        "neural network",
        "Neural network",
        "neural networks",
        "Neural networks",
    ]
    assert reader.forms("LLM") == ["LLM", "LLMs"]
    assert reader.forms("API") == ["API", "APIs"]
    assert reader.forms("training") == ["training", "Training"]
    assert reader.forms("logits") == ["logits", "Logits"]


def test_a_term_is_marked_once_a_page_and_never_in_headings_or_links():
    abbr = '<abbr title="def">token</abbr>'
    html = (
        f'<h1>A {abbr}</h1><p>{abbr} and {abbr}</p><p><a href="x">{abbr}</a></p>'
        f'<h2 id="next">Next</h2><p>{abbr} {abbr}</p>'
        f'<div class="footnote"><ol><li>"A {abbr} paper"</li></ol></div>'
    )
    out = reader.fewer_abbreviations(html)
    assert out.count("<abbr") == 1
    focusable = '<abbr title="def" tabindex="0">token</abbr>'
    assert out.startswith("<h1>A token</h1><p>" + focusable + " and token</p>")
    assert '<a href="x">token</a>' in out


def glossary():
    """term -> definition, for every name of every entry of docs/glossary.md"""
    entries = reader.glossary_entries((ROOT / "docs" / "glossary.md").read_text())
    return {term: text for terms, text in entries for term in terms}


def test_every_glossary_term_has_a_definition_and_the_readers_words_are_there():
    entries = glossary()
    for term in [
        "token",
        "tokeniser",
        "weight",
        "loss",
        "gradient",
        "training",
        "pretraining",
        "post-training",
        "temperature",
        "hallucination",
        "neural network",
        "transformer",
        "attention",
        "ChatGPT",
        # the second reader's words (reviews/reader-review.md)
        "backpropagation",
        "attention head",
        "heads",
        "entropy",
        "arithmetic coding",
        "seed",
        "API",
        "log scale",
        "compression",
        "compressor",
        "gzip",
        "xz",
        "bz2",
        "calibrated",
        "interpretability",
    ]:
        assert len(entries.get(term, "")) > 40, f"the glossary does not define {term!r}"


def test_the_built_pages_mark_glossary_terms_once_with_their_definitions(built_site):
    entries = glossary()
    marked = 0
    for page in nav_pages():
        soup = BeautifulSoup(built_site.page(page_url(page)), "html.parser")
        for abbr in soup.select("article abbr[title]"):
            marked += 1
            assert not abbr.find_parent(["h1", "h2", "h3", "a", "summary", "pre", "code"])
            assert not abbr.find_parent(class_="footnote")
            assert abbr["title"] in [d.replace('"', "'") for d in entries.values()], abbr
            assert abbr.get("tabindex") == "0", abbr  # the keyboard reaches it
        terms = [abbr["title"] for abbr in soup.select("article abbr[title]")]
        assert len(terms) == len(set(terms)), f"{page}: a term marked twice"
        # a footnote's way back is named for screen readers, with no title (no tooltip to set up)
        backrefs = soup.select("article a.footnote-backref")
        assert all(a.get("aria-label") and not a.get("title") for a in backrefs), page
        # and where a footnote is cited more than once, each says which mention it returns to
        labels = [a["aria-label"] for a in backrefs]
        assert len(labels) == len(set(labels)), f"{page}: two ways back with the same name"
    assert marked >= 50
    page = BeautifulSoup(built_site.page("glossary/"), "html.parser")
    assert page.select_one("h2#token") and page.select_one("h2#hallucination")
    assert not page.select("article abbr")


def test_each_chapter_shows_its_reading_time_under_its_title(built_site):
    for page in nav_pages():
        soup = BeautifulSoup(built_site.page(page_url(page)), "html.parser")
        h1 = soup.select_one("article h1")
        time = soup.select_one("article .page-meta .reading-time")
        if page in ("index.md", "glossary.md", "run-it-yourself.md"):
            assert time is None, page
            continue
        assert time, f"{page} has no reading time"
        assert h1.find_next_sibling() is time.parent
        article = soup.select_one("article")
        expected = reader.reading_minutes(reader.shown_words(str(article)))
        assert time.get_text() == f"{expected} min read", page


def test_each_chapter_links_to_the_glossary_beside_its_reading_time(built_site):
    """On a phone the menu opens at the chapters and hides the glossary: a link under the title."""
    for page in nav_pages():
        soup = BeautifulSoup(built_site.page(page_url(page)), "html.parser")
        if not soup.select_one("article .page-meta .reading-time"):
            continue
        link = soup.select_one("article .page-meta a.glossary-link")
        assert link, f"{page}: no link to the glossary under its title"
        target = (built_site.site / page_url(page) / link["href"] / "index.html").resolve()
        assert target == (built_site.site / "glossary" / "index.html").resolve(), link["href"]


def test_a_diagram_is_one_picture_to_a_screen_reader_and_stays_out_of_search(built_site):
    """A diagram's words are parts of its picture: a screen reader gets its description (the label),
    not the scraps ("How", "5299"), and search does not show them as run-on text."""
    index = json.loads((built_site.site / "search" / "search_index.json").read_bytes())["docs"]
    seen = 0
    for page in nav_pages():
        soup = BeautifulSoup(built_site.page(page_url(page)), "html.parser")
        diagrams = soup.select("article figure.diagram")
        for figure in diagrams:
            figure.extract()
        prose = soup.select_one("article").get_text()
        url = page_url(page)
        searched = " ".join(doc["text"] for doc in index if doc["location"].split("#")[0] == url)
        for figure in diagrams:
            svg = figure.select_one("svg[role=img][aria-label]")
            assert svg and svg["aria-label"].strip(), page
            drawing = svg.find_all(recursive=False)
            assert [(g.name, g.get("aria-hidden")) for g in drawing] == [("g", "true")], page
            assert figure.has_attr("data-search-exclude"), page
            words = [t.get_text() for t in svg.select("text") if len(t.get_text().split()) >= 4]
            found = [w for w in words if escape(w, quote=False) in searched and w not in prose]
            assert not found, f"{page}: the diagram's words in the search index: {found}"
            seen += 1
    assert seen >= 7


def test_the_home_page_starts_the_story_and_its_cards_give_reading_times(built_site):
    soup = BeautifulSoup(built_site.page(""), "html.parser")
    article = soup.select_one("article")
    assert "minutes:" not in str(article)
    first = article.select_one("figure.diagram svg[role=img][aria-label]")
    start = article.select_one(".home-start a.md-button")
    assert first and start
    times = {}
    for page in nav_pages():
        shown = BeautifulSoup(built_site.page(page_url(page)), "html.parser").select_one(
            ".reading-time"
        )
        if shown:
            times[page_url(page)] = shown.get_text().split()[0]
    assert start["href"] == "strawberry/"
    assert start.get_text() == (
        f"Start reading: 1. The strawberry problem ({times['strawberry/']} min)"
    )
    cards = article.select(".grid.cards li")
    for card in cards:
        link = card.select_one("a")
        if link["href"] in times:
            assert f"· {times[link['href']]} min" in card.get_text(), card.get_text()
    assert (
        sum(link["href"] in times for link in article.select(".grid.cards li > p > strong > a"))
        >= 7
    )


def test_every_cell_of_a_chapter_has_its_code_folded_and_a_switch_to_show_it_all(built_site):
    for page in nav_pages():
        soup = BeautifulSoup(built_site.page(page_url(page)), "html.parser")
        folds = soup.select("article details.snippet-code")
        switch = soup.select_one(
            "article .page-meta .code-switch input[type=checkbox][role=switch]"
        )
        assert bool(folds) == bool(switch), page
        for fold in folds:
            assert fold.select_one("summary").get_text().strip()
            assert fold.select_one("div.language-python"), page
            assert not fold.has_attr("open"), page


def test_the_notebooks_sit_under_run_it_yourself_and_out_of_search(built_site):
    soup = BeautifulSoup(built_site.page("run-it-yourself/"), "html.parser")
    sections = soup.select("nav.md-nav--primary > ul > li.md-nav__item--section")
    last = sections[-1]
    assert last.select_one("label, a").get_text(" ", strip=True).startswith("Run it yourself")
    notebooks = [a["href"] for a in last.select("a") if "notebooks/" in a["href"]]
    assert len(notebooks) >= 7
    assert not [
        a for s in sections[:-1] for a in s.select("a") if "notebooks/" in a.get("href", "")
    ]
    index = json.loads((built_site.site / "search" / "search_index.json").read_text())
    locations = {doc["location"] for doc in index["docs"]}
    assert not [location for location in locations if location.startswith("notebooks/")]
    text = " ".join(doc["text"] + " " + doc["title"] for doc in index["docs"]).lower()
    for word in ["hallucination", "chatgpt", "neural network"]:
        assert word in text, word
    # the story's words, not code: a search for "neural network" once turned up a Python block
    assert "import torch" not in text and "@torch.no_grad()" not in text


def test_the_tokeniser_playground_carries_its_recorded_tokens(built_site):
    from helpers import records

    record = records.recorded("tokens.py").variables
    soup = BeautifulSoup(built_site.page("text-becomes-numbers/"), "html.parser")
    widget = soup.select_one(".tokenizer-playground")
    data = json.loads(widget["data-recorded"])
    assert data["text"] == record["QUESTION"]
    for name, ids in record["question_ids"].items():
        assert [token["id"] for token in data["tokens"][name]] == ids
        assert "".join(token["text"] for token in data["tokens"][name]) == record["QUESTION"]


def test_the_chapter_note_is_folded_before_the_references(built_site):
    soup = BeautifulSoup(built_site.page("sampling/"), "html.parser")
    note = soup.select_one("article details.run-yourself")
    assert note and not note.has_attr("open")
    references = soup.select_one("article .footnote")
    assert note.sourceline < references.sourceline
    assert re.search(r"python snippets/\w+\.py", note.get_text())


def test_a_printed_table_renders_as_a_table_in_the_story_and_in_a_go_deeper_block(tmp_path):
    """Built for real: a demo that prints a Markdown table, embedded at the top level and inside a
    folded "Go deeper" block; both show an HTML table, with the printed text one tap away."""
    import os
    import shutil
    import subprocess

    shutil.copytree(
        ROOT / "hooks", tmp_path / "hooks", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "snippets").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nnav: [index.md]\n"
        "markdown_extensions: [abbr, admonition, def_list, md_in_html, attr_list, "
        "pymdownx.details, pymdownx.superfences, pymdownx.highlight]\n"
        "hooks: [hooks/snippets.py, hooks/reader.py]\n"
    )
    (tmp_path / "snippets" / "demo.py").write_text(
        "# %% one\nprint('before')\nprint('| a | b |')\nprint('|---|--:|')\nprint('| x | 1 |')\n"
        "\n# %% two\nprint('| c | d |')\nprint('| --- | --- |')\nprint('| y | 2 |')\n"
    )
    (tmp_path / "docs" / "index.md").write_text(
        '# T\n\n{* demo.py:one *}\n\n??? deeper "Go deeper: more"\n    {* demo.py:two *}\n'
    )
    env = dict(os.environ, LLMS101_FREEZE=str(tmp_path / "_freeze"), NO_MKDOCS_2_WARNING="1")
    env.pop("LLMS101_FROZEN", None)
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert built.returncode == 0, built.stderr
    soup = BeautifulSoup((tmp_path / "site" / "index.html").read_text(), "html.parser")
    for cell, cells, printed in [
        ("one", ["x", "1"], "before\n| a | b |\n|---|--:|\n| x | 1 |"),
        ("two", ["y", "2"], "| c | d |\n| --- | --- |\n| y | 2 |"),
    ]:
        output = soup.select_one(f'div.snippet-output[data-snippet="demo.py:{cell}"]')
        assert output, cell
        assert [td.get_text() for td in output.select("table td")] == cells, cell
        assert output.select_one("details.snippet-printed code").get_text().rstrip() == printed
        assert "???" not in output.get_text() and "markdown" not in output.attrs


def test_markers_are_filled_in_code_spans_too_and_one_left_unfilled_fails_the_build(tmp_path):
    """Built for real: a marker in prose and in a code span (its value shown as code, backticks and
    all) is filled in; one the hook cannot read is left as written, and the build warns (a strict
    build fails) rather than show it to a reader."""
    import os
    import shutil
    import subprocess

    shutil.copytree(
        ROOT / "hooks", tmp_path / "hooks", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "snippets").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nnav: [index.md]\nmarkdown_extensions: [admonition, md_in_html, attr_list, "
        "pymdownx.details, pymdownx.superfences, pymdownx.highlight]\nhooks: [hooks/snippets.py]\n"
    )
    (tmp_path / "snippets" / "demo.py").write_text(
        "# %% one\nsplit = 'st|raw`berry'\nn = 1234\nprint(n)\n"
    )
    (tmp_path / "docs" / "index.md").write_text(
        "# T\n\n{* demo.py:one *}\n\nIn prose {= demo.py:n:,d =}; as code `{= demo.py:split =}`; "
        "twice `{= demo.py:n =} and {= demo.py:n =}`.\n\nBroken: {= demo.py:no such =}.\n"
    )
    env = dict(os.environ, LLMS101_FREEZE=str(tmp_path / "_freeze"), NO_MKDOCS_2_WARNING="1")
    env.pop("LLMS101_FROZEN", None)
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert built.returncode == 0, built.stderr
    assert "index.md: a recorded-value marker was not filled in: '{= demo.py:no such =}'" in (
        built.stderr
    )
    soup = BeautifulSoup((tmp_path / "site" / "index.html").read_text(), "html.parser")
    main = soup.select_one("[role=main]") or soup.body
    text = main.get_text()
    assert "In prose 1,234;" in text
    assert [code.get_text() for code in main.select("p code")][:2] == [
        "st|raw`berry",
        "1234 and 1234",
    ]
    assert "{= demo.py:split" not in text and "{= demo.py:n " not in text


def test_the_glossary_is_one_search_entry_per_term_with_an_a_to_z(built_site):
    """Search shows a glossary entry on its own ("what is a token" lands on Token), not the page as
    one wall of text; the A-Z list links to each letter's first term."""
    entries = reader.glossary_entries((ROOT / "docs" / "glossary.md").read_text())
    index = json.loads((built_site.site / "search" / "search_index.json").read_text())
    found = {d["location"]: d for d in index["docs"] if d["location"].startswith("glossary/#")}
    for (term, *_), text in entries:
        entry = found[f"glossary/#{reader.term_id(term)}"]
        assert entry["title"] == term[:1].upper() + term[1:]
        assert BeautifulSoup(entry["text"], "html.parser").get_text().startswith(text[:30])
    soup = BeautifulSoup(built_site.page("glossary/"), "html.parser")
    letters = soup.select("article nav.glossary-az a")
    assert [a.get_text() for a in letters] == sorted({t[0][:1].upper() for t, _ in entries})
    assert all(soup.select_one(f"article h2{a['href']}") for a in letters)
    # an entry's other names have a line of their own, in order, pointing to the entry
    for (term, *others), _ in entries:
        for other in others:
            see = soup.select_one(f"article p.glossary-see#{reader.term_id(other)}")
            assert see.select_one("a")["href"] == f"#{reader.term_id(term)}", other
            assert see.find_previous("h2").get_text().lower() < other.lower(), other
            assert see.find_next("h2").get_text().lower() > other.lower(), other


def test_how_we_check_states_the_mutation_score_from_the_benchmarks_report(built_site):
    report = (ROOT / "benchmarks" / "mutation.md").read_text()
    score = re.search(r"\*\*score: (\d+) of (\d+) killed \(([\d.]+%)\)\*\*", report)
    text = BeautifulSoup(built_site.page("how-we-check/"), "html.parser").select_one("article")
    text = re.sub(r"\s+", " ", text.get_text(" "))
    assert f"caught {score[1]} of the {score[2]} planted bugs: {score[3]}" in text
    survived = int(score[2]) - int(score[1])
    assert f"Look at the {survived} that slipped past" in text
    assert "Survivors" in text and "mutation:" not in text  # the report itself, in its fold


def test_get_the_code_never_points_to_a_link_that_is_not_there(monkeypatch):
    markdown = (ROOT / "docs" / "run-it-yourself.md").read_text()
    page = type("Page", (), {"file": type("File", (), {"src_uri": "run-it-yourself.md"})()})()
    config = {"docs_dir": str(ROOT / "docs"), "extra": {}, "repo_url": None}
    monkeypatch.setenv("REPO_URL", "https://github.com/someone/llms101")
    linked = reader.on_page_markdown(markdown, page, config, None)
    assert "[the repository's page](https://github.com/someone/llms101)" in linked
    monkeypatch.delenv("REPO_URL")
    unlinked = reader.on_page_markdown(markdown, page, config, None)
    assert "REPO_URL" not in unlinked and "repository's page](" not in unlinked
    assert "[download of the code](#or-paste-a-chapter-into-python)" in unlinked
    config["extra"] = {"repository": "https://example.org/llms101"}
    assert "[the repository's page](https://example.org/llms101)" in reader.on_page_markdown(
        markdown, page, config, None
    )
