"""MkDocs hook: what every page needs for a reader, on top of the snippets (hooks/snippets.py).

- A reading time under each chapter's title, from the words a reader sees without opening anything
  (the same count as benchmarks/story.py), and on the home page wherever it says
  `<!-- minutes:strawberry.md -->`.
- The "Show all the code" switch under the title of a page whose code is folded
  (docs/assets/code-switch.js remembers it across pages).
- The glossary (docs/glossary.md, a definition list): each term's definition becomes an abbreviation
  (Python-Markdown's abbr) on every page, which Material shows as a tooltip on hover or tap
  (content.tooltips); a term is marked once per section, not at each of its uses.
- The notebooks (mkdocs-jupyter's pages) are left out of search.
- The tokeniser playground starts out showing the recorded tokens of its sentence (tokens.py's run).
"""

import functools
import json
import logging
import os
import re
import sys
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from mkdocs.plugins import event_priority

sys.path.insert(0, str(Path(__file__).parent))
import records  # noqa: E402

log = logging.getLogger("mkdocs.hooks.site")

WORDS_A_MINUTE = 238  # the reader trial's reading speed
WORD = re.compile(r"[\w'’-]+")
GLOSSARY = "glossary.md"
NOTEBOOKS = "notebooks/"
MINUTES = re.compile(r"<!--\s*minutes:([\w./-]+\.md)\s*-->")
# What a reader does not see without opening something, or does not read as prose (as
# /work/tools/words.py and benchmarks/story.py count): code and outputs, folded blocks, footnotes,
# figures and diagrams.
UNSEEN_TAGS = {"pre", "figure", "svg", "script", "style"}
UNSEEN_CLASSES = {"footnote", "headerlink", "md-source-file", "page-meta", "snippet-output"}
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

minutes = {}  # page src_uri -> reading time in minutes, for this build


class ShownWords(HTMLParser):
    """Counts the words of a page's HTML that a reader sees without opening anything."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # for each open element: does it hide what is inside it?
        self.hidden = 0
        self.words = 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        hides = (
            tag in UNSEEN_TAGS
            or bool(classes & UNSEEN_CLASSES)
            or (tag == "details" and "open" not in attrs)
        )
        self.stack.append(hides)
        self.hidden += hides

    def handle_endtag(self, tag):
        if tag in VOID or not self.stack:
            return
        self.hidden -= self.stack.pop()

    def handle_data(self, data):
        if not self.hidden:
            self.words += len(WORD.findall(data))


@functools.lru_cache(maxsize=64)  # a `mkdocs serve` rebuild counts only the pages that changed
def shown_words(html):
    parser = ShownWords()
    parser.feed(html)
    parser.close()
    return parser.words


def reading_minutes(words):
    return max(1, round(words / WORDS_A_MINUTE))


# -- the glossary ---------------------------------------------------------------------------------


def glossary_entries(markdown):
    """[(term, definition as plain text)] from the glossary's definition list:

        Token
        :   A chunk of text ...

    The plain text drops Markdown links (keeping their words), footnote references and emphasis."""
    entries = []
    for match in re.finditer(
        r"^(?P<term>[^\s:#<!\-*|>][^\n]*)\n(?:\n)?:[ \t]+(?P<text>.+?)(?=\n\n(?![ \t])|\Z)",
        markdown,
        re.M | re.S,
    ):
        text = " ".join(line.strip() for line in match["text"].splitlines())
        text = re.sub(r"\[\^[^\]]+\]", "", text)  # footnote references
        text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images: their words
        text = re.sub(r"<[^>]+>", "", text)
        text = re.sub(r"(\*\*|\*|__|`)", "", text)
        text = re.sub(r"\s+", " ", text).strip()
        entries.append((match["term"].strip(), text))
    return entries


def forms(term):
    """The forms of a term the prose uses: as written, capitalised, and the plural."""
    found = [term]
    if term[0].islower():
        found.append(term[0].upper() + term[1:])
    plural = not term.endswith(("ing", "tion")) and (term.endswith("ss") or not term.endswith("s"))
    if re.fullmatch(r"[A-Z]{2,}", term):  # an acronym: API, APIs
        found.append(term + "s")
    if re.fullmatch(r"[a-z][a-z -]*", term) and plural:
        found.append(term + ("es" if term.endswith(("ss", "x", "ch", "sh")) else "s"))
        if term[0].islower():
            found.append(found[-1][0].upper() + found[-1][1:])
    return found


def abbreviations(docs_dir):
    """Python-Markdown abbreviations (*[term]: definition), for each form of each glossary term."""
    path = Path(docs_dir) / GLOSSARY
    if not path.is_file():
        return ""
    lines = []
    for term, text in glossary_entries(path.read_text(encoding="utf-8")):
        if not text:
            continue
        text = text.replace('"', "'")
        lines += [f"*[{form}]: {text}" for form in forms(term)]
    # one block each: abbr takes one definition off a block at a time and hands the rest back to
    # every block processor, which made a block of them all cost seconds a build
    return "\n\n".join(lines)


ABBR = re.compile(r'<abbr title="([^"]*)">(.*?)</abbr>', re.S)
HEADING = re.compile(r"(<(h[1-6]|summary|a)\b[^>]*>)(.*?)(</\2>)", re.S)


def fewer_abbreviations(html):
    """Each glossary term marked at its first use on the page, not at each use (Material sets up a
    tooltip for every element with a title, and on a long chapter that work alone held up a phone's
    first taps), and never inside a heading, a folded block's title, a link (whose tap should follow
    the link), printed text (a cell's output) or the footnotes (titles of papers)."""
    notes = html.find('<div class="footnote">')
    if notes >= 0:
        html = html[:notes] + ABBR.sub(r"\2", html[notes:])
    html = HEADING.sub(lambda m: m[1] + ABBR.sub(r"\2", m[3]) + m[4], html)
    html = re.sub(r"<pre\b.*?</pre>", lambda m: ABBR.sub(r"\2", m[0]), html, flags=re.S)  # printed
    return first_abbreviations(html)


def first_abbreviations(section):
    """The section with only the first use of each term marked."""
    seen = set()

    def first(match):
        if match[1] in seen:
            return match[2]
        seen.add(match[1])
        return match[0]

    return ABBR.sub(first, section)


# -- the events -----------------------------------------------------------------------------------


# The repository's address, where the publishing workflow sets it (.github/workflows/pages.yml): "Get
# the code" links to it. Not Material's repo_url, whose header fetches the repository's stars from
# GitHub's API: a page of ours calls no third party.
REPOSITORY = re.compile(r"\[the repository's page\]\(REPO_URL\)")


def on_page_markdown(markdown, page, config, files):
    address = os.environ.get("REPO_URL")
    markdown = REPOSITORY.sub(
        f"[the repository's page]({address})" if address else "the repository's page", markdown
    )
    if page.file.src_uri == GLOSSARY or not page.file.src_uri.endswith(".md"):
        return markdown
    return markdown.rstrip() + "\n\n" + abbreviations(config["docs_dir"]) + "\n"


@event_priority(-50)  # after hooks/snippets.py
def on_page_content(html, page, config, files):
    src = page.file.src_uri
    if src.startswith(NOTEBOOKS):
        page.meta["search"] = {"exclude": True}  # its code would crowd the chapters out of search
        return html
    if src == GLOSSARY:  # each term an anchor: glossary/#token
        html = re.sub(
            r"<dt>(.*?)</dt>",
            lambda m: f'<dt id="{re.sub(r"[^a-z0-9]+", "-", m[1].lower()).strip("-")}">{m[1]}</dt>',
            html,
        )
    html = fewer_abbreviations(html)
    # a footnote's way back: named for screen readers, without a title (no tooltip to set up for each)
    html = re.sub(r'(class="footnote-backref" href="[^"]*") title=', r"\1 aria-label=", html)
    html = tokenizer_playground(html, page)
    words = shown_words(html)
    timed = src != "index.md" and page.meta.get("reading_time", True)
    if timed:
        minutes[src] = reading_minutes(words)
    meta = []
    if timed:
        meta.append(f'<span class="reading-time">{minutes[src]} min read</span>')
    if 'class="snippet-code' in html:
        meta.append(
            '<label class="code-switch" hidden><input type="checkbox" role="switch"> '
            "Show all the code</label>"
        )
    if meta:
        html = html.replace("</h1>", f'</h1>\n<p class="page-meta">{" ".join(meta)}</p>', 1)
    return html


def on_post_page(output, page, config):
    def fill(match):
        if match[1] not in minutes:
            log.warning(f"{page.file.src_uri}: no reading time for {match[1]} (a chapter page?)")
            return "?"
        return str(minutes[match[1]])

    return MINUTES.sub(fill, output)


# -- the tokeniser playground's first view --------------------------------------------------------


def tokenizer_playground(html, page):
    """The tokeniser playground draws the recorded tokens of its sentence before the vocabularies
    load (tokens.py's record: `QUESTION`, `splits`, `question_ids`); the live ones once a reader
    types."""
    if 'class="tokenizer-playground"' not in html:
        return html
    record = records.recorded("tokens.py")
    variables = record.variables if record else {}
    try:
        text = variables["QUESTION"]
        recorded = {
            name: [
                {"text": piece, "id": ident}
                for piece, ident in zip(variables["splits"][name][text], ids, strict=True)
            ]
            for name, ids in variables["question_ids"].items()
        }
    except (KeyError, TypeError, ValueError) as error:
        log.warning(
            f"{page.file.src_uri}: the tokeniser playground's first view needs tokens.py's "
            f"recorded text, splits and question_ids ({error!r})"
        )
        return html
    data = escape(json.dumps({"text": text, "tokens": recorded}, ensure_ascii=False), quote=True)
    return html.replace(
        'class="tokenizer-playground"', f'class="tokenizer-playground" data-recorded="{data}"', 1
    )
