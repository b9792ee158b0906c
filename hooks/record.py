"""Re-record snippets without building the site: the stale ones among those named, or all stale ones.

    python hooks/record.py facts.py autocomplete.py     only these (if stale)
    python hooks/record.py                              every demo whose record is stale
    python hooks/record.py --force train.py             re-run even if the record is up to date

Like `mkdocs build`, it runs stale snippets side by side (producers first) and rewrites their records in
_freeze/; unlike it, it leaves every other snippet alone.
"""

import argparse
import sys
import time

import runner


def main():
    parser = argparse.ArgumentParser(description="Re-record snippets in _freeze/.")
    parser.add_argument(
        "names", nargs="*", metavar="SNIPPET", help="e.g. facts.py (default: every demo)"
    )
    parser.add_argument(
        "--force", action="store_true", help="re-run even if the record is up to date"
    )
    args = parser.parse_args()
    names = [name if name.endswith(".py") else f"{name}.py" for name in args.names]
    names = names or sorted(
        path.name for path in runner.SNIPPETS.glob("*.py") if runner.is_demo(path.name)
    )
    for name in names:
        try:
            runner.snippet_path(name)
        except runner.SnippetError as error:
            sys.exit(f"record.py: error: {error}")
    started = time.perf_counter()
    stale = [name for name in names if args.force or runner.recorded(name) is None]
    failed = runner.refresh(stale, log=print, force=args.force)
    for error in failed.values():
        print(f"FAILED {error}", file=sys.stderr)
    done = len(stale) - len(failed)
    print(
        f"re-recorded {done} of {len(names)} snippet(s) in {time.perf_counter() - started:.0f} s"
        + (f"; {len(names) - len(stale)} already up to date" if len(stale) < len(names) else "")
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
