"""MkDocs hook: what every page needs for a reader, on top of the snippets (hooks/snippets.py).

- A reading time under each chapter's title, from the words a reader sees without opening anything
  (the same count as benchmarks/story.py), and on the home page wherever it says
  `<!-- minutes:strawberry.md -->`; beside it, a link to the glossary.
- The "Show all the code" switch under the title of a page whose code is folded
  (docs/assets/code-switch.js remembers it across pages).
- The glossary (docs/glossary.md, a definition list): each term's definition becomes an abbreviation
  (Python-Markdown's abbr) on every page, which Material shows as a tooltip on hover or tap
  (content.tooltips); a term is marked at its first use on a page, not at each use.
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
from mkdocs.utils import get_relative_url

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
    """[(terms, definition as plain text)] from the glossary's definition list; an entry's first term
    is its headword, and any further lines before the definition are other names for it:

        attention head
        head
        :   One of several attention mechanisms ...

    The plain text drops Markdown links (keeping their words), footnote references and emphasis."""
    entries = []
    for match in re.finditer(
        r"^(?P<terms>[^\s:#<!\-*|>][^\n]*(?:\n[^\s:#<!\-*|>][^\n]*)*)\n(?:\n)?:[ \t]+"
        r"(?P<text>.+?)(?=\n\n(?![ \t])|\Z)",
        markdown,
        re.M | re.S,
    ):
        text = " ".join(line.strip() for line in match["text"].splitlines())
        text = re.sub(r"\[\^[^\]]+\]", "", text)  # footnote references
        text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images: their words
        text = re.sub(r"<[^>]+>", "", text)
        text = re.sub(r"(\*\*|\*|__|`)", "", text)
        text = re.sub(r"\s+", " ", text).strip()
        entries.append(([term.strip() for term in match["terms"].splitlines()], text))
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
    for terms, text in glossary_entries(path.read_text(encoding="utf-8")):
        if not text:
            continue
        text = text.replace('"', "'")
        lines += [f"*[{form}]: {text}" for term in terms for form in forms(term)]
    # one block each: abbr takes one definition off a block at a time and hands the rest back to
    # every block processor, which made a block of them all cost seconds a build
    return "\n\n".join(lines)


ABBR = re.compile(r'<abbr title="([^"]*)">(.*?)</abbr>', re.S)
HEADING = re.compile(r"(<(h[1-6]|summary|a)\b[^>]*>)(.*?)(</\2>)", re.S)


def fewer_abbreviations(html):
    """Each glossary term marked at its first use on the page, not at each use (Material sets up a
    tooltip for every element with a title, and on a long chapter that work alone held up a phone's
    first taps), and never inside a heading, a folded block's title, a link (whose tap should follow
    the link), printed text (a cell's output) or the footnotes (titles of papers). A keyboard reaches
    each marked term, as a pointer does."""
    notes = html.find('<div class="footnote">')
    if notes >= 0:
        html = html[:notes] + ABBR.sub(r"\2", html[notes:])
    html = HEADING.sub(lambda m: m[1] + ABBR.sub(r"\2", m[3]) + m[4], html)
    html = re.sub(r"<pre\b.*?</pre>", lambda m: ABBR.sub(r"\2", m[0]), html, flags=re.S)  # printed
    seen = set()

    def first(match):  # a stop for Tab too: Material shows the definition on focus as on hover
        if match[1] in seen:
            return match[2]
        seen.add(match[1])
        return f'<abbr title="{match[1]}" tabindex="0">{match[2]}</abbr>'

    return ABBR.sub(first, html)


# -- the events -----------------------------------------------------------------------------------


GLOSSARY_ENTRY = re.compile(r"(?P<terms>(?:<dt>.*?</dt>\s*)+)<dd>(?P<text>.*?)</dd>", re.S)
BLOCK = re.compile(r"<(p|div|ul|ol|table|pre|blockquote)\b")


def term_id(term):
    """A term's anchor: glossary/#token, glossary/#attention-head."""
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"<[^>]+>", "", term).lower()).strip("-")


def glossary_sections(html):
    """The glossary's definition list as one short section per term, each under a heading of its
    own (its first letter capitalised, as in a dictionary), so search finds and shows an entry on its
    own ("what is a token" lands on Token, not on the whole page); and an A-Z list of the letters
    that open a term, each a link to its first term, before them. The Markdown stays a definition list,
    which glossary_entries reads for the tooltips."""
    start, end = html.find("<dl>"), html.find("</dl>")
    if start < 0 or end < 0:
        log.warning(f"{GLOSSARY}: no definition list")
        return html
    entries, letters = [], {}
    for match in GLOSSARY_ENTRY.finditer(html[start:end]):
        term, *others = re.findall(r"<dt>(.*?)</dt>", match["terms"], re.S)
        text, anchor = match["text"].strip(), term_id(term)
        shown = term[:1].upper() + term[1:]
        letters.setdefault(shown[:1], anchor)
        body = text if BLOCK.match(text) else f"<p>{text}</p>"
        entries.append(
            (
                shown.lower(),
                f'<section class="glossary-entry">\n<h2 class="glossary-term" id="{anchor}">{shown}'
                f'</h2>\n<div class="glossary-definition">\n{body}\n</div>\n</section>',
            )
        )
        # another name gets a line of its own where a reader looks for it (its anchor too), out of
        # search, which finds the entry itself
        for other in others:
            entries.append(
                (
                    other.lower(),
                    f'<p class="glossary-see" id="{term_id(other)}" data-search-exclude>'
                    f'<strong>{other[:1].upper() + other[1:]}</strong>: see <a href="#{anchor}">'
                    f"{term}</a>.</p>",
                )
            )
    jump = " ".join(f'<a href="#{anchor}">{letter}</a>' for letter, anchor in letters.items())
    az = f'<nav class="glossary-az" aria-label="Jump to a letter" data-search-exclude>{jump}</nav>'
    entries = [section for _, section in sorted(entries, key=lambda entry: entry[0])]
    html = html[:start] + az + "\n" + "\n".join(entries) + html[end + len("</dl>") :]
    # the sources stay on the page but out of search: they would bury the page's own entry
    return html.replace('<div class="footnote">', '<div class="footnote" data-search-exclude>', 1)


# The repository's address: "Get the code" (run-it-yourself.md) links to it. The publishing workflow
# sets REPO_URL (.github/workflows/pages.yml); otherwise mkdocs.yml's `extra: repository:` or
# `repo_url`, if set. (We set no repo_url: Material's header would fetch the repository's stars
# from GitHub's API, and a page of ours calls no third party.) Without an address, a local or CI
# build, the step says so and points to the download of the snippets instead of a link that is not
# there.
REPOSITORY = re.compile(r"\[the repository's page\]\(REPO_URL\)")
GET_THE_CODE = re.compile(r"On \[the repository's page\]\(REPO_URL\).*?further down\.\)", re.S)
NO_ADDRESS = (
    "This copy of the site doesn't say where its repository is, so take the [download of the"
    " code](#or-paste-a-chapter-into-python) further down: the snippets and what they need, with"
    " commands of their own. (Reading this from a copy you built yourself? You have the code"
    " already: go on to step 3.)"
)


# How we check quotes the mutation benchmark's result and report (benchmarks/mutation.md, which
# benchmarks/mutation.py writes), filled in by the build like a run's numbers, never typed:
# `<!-- mutation: killed -->`, `total` and `share` (from its score line, "**score: 181 of 194 killed
# (93.3%)**"), `survived` (total less killed: the ones its Survivors list explains), and
# `<!-- mutation: report -->` (the report itself, indented as its placeholder is).
MUTATION = Path(__file__).resolve().parent.parent / "benchmarks" / "mutation.md"
MUTATION_PLACE = re.compile(r"<!-- mutation: (?P<what>killed|total|share|survived) -->")
MUTATION_REPORT = re.compile(r"^(?P<indent>[ \t]*)<!-- mutation: report -->[ \t]*$", re.M)
MUTATION_SCORE = re.compile(
    r"\*\*score: (?P<killed>\d+) of (?P<total>\d+) killed \((?P<share>[\d.]+%)\)\*\*"
)


def mutation_score(report):
    """{"killed": "181", "total": "194", "share": "93.3%", "survived": "13"} from the report's score
    line."""
    match = MUTATION_SCORE.search(report)
    if not match:
        raise ValueError(f"{MUTATION}: no line like **score: N of M killed (P%)**")
    return match.groupdict() | {"survived": str(int(match["total"]) - int(match["killed"]))}


def mutation_report(report, indent):
    """The report's body, for a fold: its title and "do not edit" note left out, its headings as bold
    lines (a fold's headings would crowd the page's contents list)."""
    body = report.split("\n- ", 1)[1]
    body = re.sub(r"^#+ (.+)$", r"**\1**", "- " + body, flags=re.M)
    # a file, not a glossary word
    body = re.sub(r"^\| ([\w.]+\.py) \|", r"| `\1` |", body, flags=re.M)
    lines = ['<div class="mutation-report" markdown>', "", *body.splitlines(), "", "</div>"]
    return "\n".join(indent + line if line.strip() else "" for line in lines)


def fill_mutation(markdown, page):
    if "<!-- mutation: " not in markdown:
        return markdown
    report = MUTATION.read_text(encoding="utf-8")
    score = mutation_score(report)
    out = MUTATION_PLACE.sub(lambda match: score[match["what"]], markdown)
    out = MUTATION_REPORT.sub(lambda match: mutation_report(report, match["indent"]), out)
    if "<!-- mutation: " in out:
        log.warning(f"{page.file.src_uri}: a mutation placeholder the hook cannot fill")
    return out


def on_page_markdown(markdown, page, config, files):
    extra = config.get("extra") or {}
    address = os.environ.get("REPO_URL") or extra.get("repository") or config.get("repo_url")
    if address:
        markdown = REPOSITORY.sub(f"[the repository's page]({address})", markdown)
    else:
        markdown = GET_THE_CODE.sub(NO_ADDRESS, markdown)
    if "REPO_URL" in markdown and page.file.src_uri.endswith(".md"):
        log.warning(
            f"{page.file.src_uri}: REPO_URL outside the sentence the hook knows how to fill"
        )
    markdown = fill_mutation(markdown, page)
    if page.file.src_uri == GLOSSARY or not page.file.src_uri.endswith(".md"):
        return markdown
    return markdown.rstrip() + "\n\n" + abbreviations(config["docs_dir"]) + "\n"


@event_priority(-50)  # after hooks/snippets.py
def on_page_content(html, page, config, files):
    src = page.file.src_uri
    if src.startswith(NOTEBOOKS):
        page.meta["search"] = {"exclude": True}  # its code would crowd the chapters out of search
        return html
    if src == GLOSSARY:
        html = glossary_sections(html)
    html = fewer_abbreviations(html)
    html = BACKREF.sub(lambda match: backref(match, html), html)
    html = tokenizer_playground(html, page)
    meta = []
    if src != "index.md" and page.meta.get("reading_time", True):
        minutes[src] = reading_minutes(shown_words(html))
        meta.append(f'<span class="reading-time">{minutes[src]} min read</span>')
        glossary = files.get_file_from_path(GLOSSARY)
        if glossary:  # the words of the trade, one tap away on a phone too (its menu hides it)
            href = get_relative_url(glossary.url, page.url)
            meta.append(f'<a class="glossary-link" href="{href}">The words, explained</a>')
    if 'class="snippet-code' in html:
        meta.append(
            '<label class="code-switch" hidden><input type="checkbox" role="switch"> '
            "Show all the code</label>"
        )
    if meta:
        html = html.replace("</h1>", f'</h1>\n<p class="page-meta">{" ".join(meta)}</p>', 1)
    # search finds the story's words, not code: "neural network" should not turn up a Python block
    return html.replace(
        '<div class="language-python highlight"',
        '<div data-search-exclude class="language-python highlight"',
    )


BACKREF = re.compile(
    r'<a class="footnote-backref" href="#fnref(?P<k>\d*):(?P<id>[^"]+)" '
    r'title="Jump back to footnote (?P<n>\d+) in the text">&#8617;</a>'
)


def backref(match, html):
    """A footnote's way back, named for screen readers and without a title (no tooltip to set up for
    each); where the text cites it more than once, each way back says which mention it returns to."""
    k, note = int(match["k"] or 1), match["n"]
    if f'href="#fnref2:{match["id"]}"' not in html:
        label, shown = f"Back to footnote {note} in the text", ""
    else:
        label, shown = f"Back to mention {k} of footnote {note} in the text", f"<sup>{k}</sup>"
    href = f"#fnref{match['k']}:{match['id']}"
    return f'<a class="footnote-backref" href="{href}" aria-label="{label}">&#8617;{shown}</a>'


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
