"""Printed tables made of aligned columns (lined up with runs of spaces), found in a cell's output
so that the page can show them as real tables: on a phone, a table's words wrap inside its cells,
where the printed lines would either wrap apart or need a tiny font to stay whole.

Conservative on purpose: a wrong split is worse than wrapped text. A group becomes a table only when
every line of it splits into cells at the same column gaps (blank in every line of the group), every
run of two or more spaces inside a line falls in one of those gaps, every row has two cells or more
(only its last cells may be missing), one column is numbers-and-words with digits in every row, no
cell is long, and nothing looks like sample text (one prompt repeated at the start of a column, a ⏎),
a bar chart alone, a command's options or code. A paragraph (lines between blank lines) gives one
table at most, made of its lines with runs of spaces; lines of it above or below the table stay text,
and none of those may be indented (an indented line would be a wrapped part of a row).

    aligned_parts(lines) -> [("text", lines) | ("aligned", Table)], in order
"""

import itertools
import os
import re
from dataclasses import dataclass, field

NUMBER = r"[-+−]?(?:\d(?:[\d,]*\d)?(?:\.\d+)?|\.\d+)(?:e[-+]?\d+)?%?"
NUMERIC = re.compile(rf"^\(?{NUMBER}\)?$|^\d+/\d+$")  # 4.5482, 1,120, 7.4e+05, 14.5%, 9/10, (1.1%)
NUMBER_IN = re.compile(NUMBER)
BAR = re.compile(r"^([#█▇▆▅▄▃▂▁=*])\1*$")  # a bar of a bar chart: ###### or █████
RUN = re.compile(r"(?<=\S) {2,}(?=\S)")  # two spaces or more between two words
CODE = re.compile(r"^(?:-{1,2}[A-Za-z]|\$ |>>> |def |class |import |usage:)")
PROMPT = 8  # a column whose cells all start with the same words this long is sample text
LONG_CELL = 48  # a longer cell is prose or a printed list, not a table's cell
LONG_TITLE = 60  # a column's title may be longer (it wraps in its cell)
WIDE = 6  # a table with more columns than this and two or three rows is shown turned (transposed)


@dataclass
class Table:
    head: list  # the header row's cells ([] when it has none)
    rows: list  # each a list of cells, as many as the head (or the widest row)
    numeric: list  # per column: all its cells are numbers (right-aligned)
    bars: list = field(default_factory=list)  # per column: all its cells are bars of a bar chart
    row_heads: bool = False  # the first column names the rows (no header row over it)


def gaps(lines):
    """The column gaps shared by all lines: runs of positions blank in every line (beyond a line's
    end counts as blank), as (start, end) pairs, with the runs of spaces each line has there."""
    width = max(len(line) for line in lines)
    blank = [all(i >= len(line) or line[i] == " " for line in lines) for i in range(width)]
    found, start = [], 0
    for is_blank, run in itertools.groupby(blank):
        end = start + len(list(run))
        if is_blank and start > 0 and end < width:  # interior: text on both sides somewhere
            found.append((start, end))
        start = end
    return found


def split(line, cuts):
    bounds = [0, *[c for gap in cuts for c in gap], max(len(line), cuts[-1][1] if cuts else 0)]
    return [line[bounds[k] : bounds[k + 1]].strip() for k in range(0, len(bounds), 2)]


def numeric(cells):
    return all(NUMERIC.match(c) for c in cells if c) and any(cells)


def split_lines(lines):
    """The lines cut into columns at their common gaps, or None. A gap one space wide counts only in
    front of a column of right-aligned numbers, where the widest number leaves one space (and only
    numbers start right after it)."""
    candidates = gaps(lines)
    kept = []
    for start, end in candidates:
        if end - start >= 2:
            kept.append((start, end))
            continue
        right = [line[end:].lstrip().split("  ")[0] for line in lines]
        tight = [r for line, r in zip(lines, right) if line[end : end + 1].strip()]
        padded = any(line[start - 1 : start] == " " or line[end : end + 1] == " " for line in lines)
        numbers = tight and all(NUMERIC.match(r) for r in tight) and numeric(right[1:])
        if numbers and all(right[1:]) and padded:
            kept.append((start, end))  # the widest of right-aligned numbers
    if not kept:
        return None
    for line in lines:  # every run of spaces inside a line is part of a column gap
        for run in RUN.finditer(line):
            if not any(run.start() < end and start < run.end() for start, end in kept):
                return None
    table = [split(line, kept) for line in lines]
    used = [k for k in range(len(kept) + 1) if any(row[k] for row in table)]
    return [[row[k] for k in used] for row in table]


def filled(row):
    """A row's cells are all there but for the last few, and two at least."""
    n = len(row)
    while n and not row[n - 1]:
        n -= 1
    return n >= 2 and all(row[:n])


def template_columns(head, rows):
    """A column whose cells are the same words with different numbers in them ("bits per character:
    training text 3.33, validation text 3.05") splits into a column per number, titled with the words
    before it; only with two numbers or more, nothing after the last, and no title over it."""
    new_head, new_rows = [], [[] for _ in rows]
    changed = False
    for k in range(len(rows[0])):
        cells = [row[k] for row in rows]
        parts = [NUMBER_IN.split(c) for c in cells]
        numbers = [NUMBER_IN.findall(c) for c in cells]
        same = all(p == parts[0] for p in parts) and not (head and head[k])
        varying = (
            [i for i in range(len(numbers[0])) if len({n[i] for n in numbers}) > 1] if same else []
        )
        last = varying[-1] if varying else 0
        rest = "".join(parts[0][j] + numbers[0][j] for j in range(last + 1, len(numbers[0])))
        rest += parts[0][-1]
        if same and len(varying) >= 2 and not rest.strip(" .,;:)"):
            titles, start = [], 0
            for i in varying:  # the words (and the numbers that never change) before each number
                words = "".join(
                    parts[0][j] + (numbers[0][j] if j < i else "") for j in range(start, i + 1)
                )
                titles.append(words.strip(" ,;:"))
                start = i + 1
            if all(titles):
                new_head += titles
                for row, n in zip(new_rows, numbers):
                    row += [n[i] for i in varying]
                changed = True
                continue
        new_head.append(head[k] if head else "")
        for row, c in zip(new_rows, cells):
            row.append(c)
    if not changed:
        return head, rows
    return new_head, new_rows


def promote_constant_columns(head, rows):
    """Without a header row, a column that says the same words on every row ("step", "median") is
    the title of the column after it."""
    if len(rows) < 2:
        return head, rows
    head = head or [""] * len(rows[0])
    keep = []
    for k in range(len(rows[0])):
        cells = {row[k] for row in rows}
        after = k + 1 < len(rows[0]) and numeric([row[k + 1] for row in rows])
        if len(cells) == 1 and "" not in cells and not NUMERIC.match(next(iter(cells))) and after:
            if not head[k + 1] and not head[k]:
                head[k + 1] = next(iter(cells))
                continue
        keep.append(k)
    head = [head[k] for k in keep]
    rows = [[row[k] for k in keep] for row in rows]
    return (head if any(head) else []), rows


def table(lines):
    """The lines as a Table, or None where they don't make a clean one."""
    if len(lines) < 2 or any("\t" in line or "⏎" in line for line in lines):
        return None
    cut = split_lines(lines)
    if cut is None or len(cut[0]) < 2:
        return None
    first, body = cut[0], cut[1:]
    columns = len(first)
    heading = all(not NUMERIC.match(c) for c in first) and any(
        numeric([row[k] for row in body]) for k in range(columns)
    )
    head, rows = (first, body) if heading else ([], cut)
    if not rows or not all(filled(row) for row in rows) or (head and sum(map(bool, head)) < 2):
        return None
    if any(CODE.match(c) for c in [c for row in rows for c in row] + head):
        return None
    for k in range(columns):
        col = [row[k] for row in rows if row[k]]
        prefix = os.path.commonprefix(col)
        rest = [c[len(prefix) :] for c in col]
        if len(prefix) >= PROMPT and " " in prefix and len(set(col)) > 1:
            if not all(re.search(r"\d", r) for r in rest):
                return None  # sample text: continuations of one prompt
    bars = [all(BAR.match(row[k]) for row in rows if row[k]) for k in range(columns)]
    if not any(
        all(re.search(r"\d", row[k]) for row in rows) for k in range(columns) if not bars[k]
    ):
        return None  # no column of numbers: a bar chart, or aligned words
    head, rows = promote_constant_columns(head, rows)
    head, rows = template_columns(head, rows)
    columns = len(rows[0])
    if len(rows) > 1 and len({row[0] for row in rows}) == 1:
        return None  # rows without names ("right answer given" on each): wrapped text reads better
    cells = [c for row in rows for c in row]
    if (
        columns < 2
        or any(len(c) > LONG_CELL for c in cells)
        or any(len(c) > LONG_TITLE for c in head)
    ):
        return None
    numeric_cols = [numeric([row[k] for row in rows]) for k in range(columns)]
    bars = [all(BAR.match(c) for c in col if c) and any(col) for col in zip(*rows)]
    result = Table(head, rows, numeric_cols, bars)
    if columns > WIDE and len(rows) + bool(head) <= 3 and not any(numeric_cols[:1]):
        result = turned(result)
    elif not head:
        result.row_heads = not numeric_cols[0]
    return result


def turned(t):
    """A wide, short table turned a quarter (its first column becomes the header row): a phone has
    room for many rows, not for many columns."""
    grid = ([t.head] if t.head else []) + t.rows
    cols = list(zip(*grid))
    head, rows = list(cols[0]), [list(c) for c in cols[1:]]
    width = len(head)
    return Table(head, rows, [numeric([r[k] for r in rows]) for k in range(width)], [False] * width)


LABELLED = re.compile(rf"^(\S.*:) ({NUMBER})$")  # "its gradient: -0.226788"


def absorb(found, paragraph, a, b):
    """A table of labels ending in ':' and numbers takes in the lines right above and below it that
    say the same with one space ("after the nudge, weight - 0.1 x gradient: +0.048955")."""
    if not found.numeric[1] or not all(row[0].endswith(":") for row in found.rows):
        return a, b
    while a > 0 and LABELLED.match(paragraph[a - 1]):
        a -= 1
        found.rows.insert(0, list(LABELLED.match(paragraph[a]).groups()))
    while b < len(paragraph) and LABELLED.match(paragraph[b]):
        found.rows.append(list(LABELLED.match(paragraph[b]).groups()))
        b += 1
    return a, b


def aligned_parts(lines):
    """The lines cut into ("text", lines) and ("aligned", Table) parts, in order: per paragraph,
    the lines with runs of spaces between words make a table when they can (blank lines have none)."""
    parts, text = [], []
    for _, group in itertools.groupby(lines, key=lambda line: bool(line.strip())):
        paragraph = list(group)
        spaced = [k for k, line in enumerate(paragraph) if RUN.search(line)]
        found = None
        if len(spaced) >= 2:
            a, b = spaced[0], spaced[-1] + 1
            outside = paragraph[:a] + paragraph[b:]
            if not any(line.startswith(" ") for line in outside):
                found = table(paragraph[a:b])
        if found is not None and not found.head and len(found.rows[0]) == 2:
            a, b = absorb(found, paragraph, a, b)
        if found is None:
            text += paragraph
        else:
            text += paragraph[:a]
            if text:
                parts.append(("text", text))
            parts.append(("aligned", found))
            text = paragraph[b:]
    if text:
        parts.append(("text", text))
    return parts
