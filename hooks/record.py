"""Re-record snippets without building the site: the stale ones among those named, or all stale ones.

    python hooks/record.py facts.py autocomplete.py   these demos, and the demos that run them (if stale)
    python hooks/record.py training.py                a library module: the demos that use it
    python hooks/record.py                            every demo whose record is stale
    python hooks/record.py --dry-run                  what is stale, and which change made it so
    python hooks/record.py --force train.py           re-run even if the record is up to date
    python hooks/record.py --into DIR tokens.py       a fresh run of each demo named into DIR
                                                      (_freeze/ untouched; not the demos that run it)

Like `mkdocs build`, it runs stale demos side by side and rewrites their records in _freeze/, saying
what each run is doing as it goes; unlike it, it leaves every other snippet alone.
"""

import argparse
import shlex
import sys
import time

import execute
import records
from cells import SnippetError


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", metavar="SNIPPET", help="e.g. facts.py (default: all)")
    parser.add_argument("--force", action="store_true", help="re-run even if up to date")
    parser.add_argument("--dry-run", action="store_true", help="say what is stale; run nothing")
    parser.add_argument("--into", metavar="DIR", help="record fresh runs into DIR/<snippet>/")
    parser.add_argument("--args", default="", help="arguments for each snippet, e.g. '--seed 7'")
    args = parser.parse_args()
    names = []
    for name in args.names or records.demos():
        name = name if name.endswith(".py") else f"{name}.py"
        try:
            users = records.dependents(name)
        except SnippetError as error:
            sys.exit(f"record.py: error: {error}")
        if not records.is_demo(name):
            print(f"{name} is a library module: the demos that use it are {', '.join(users)}")
        names += [name] if args.into and records.is_demo(name) else users
    names, argv = list(dict.fromkeys(names)), shlex.split(args.args)
    folder = (lambda name: f"{args.into}/{name[:-3]}") if args.into else records.record_folder
    if args.dry_run:
        stale = {name: records.why_stale(name, folder(name), argv) for name in names}
        for name, why in stale.items():
            print(f"{name}: {why}" if why else f"{name}: up to date")
        return
    started = time.perf_counter()
    stale = [name for name in names if args.force or records.why_stale(name, folder(name), argv)]
    # side-by-side runs say things from their own threads: the line and its end in one write, so
    # two lines never merge
    log = lambda line: print(f"{line}\n", end="", flush=True)  # noqa: E731
    failed = execute.refresh(stale, log=log, force=args.force, into=args.into, argv=argv)
    for error in failed.values():
        print(f"FAILED {error}", file=sys.stderr)
    print(
        f"recorded {len(stale) - len(failed)} of {len(names)} snippet(s) "
        f"in {time.perf_counter() - started:.0f} s"
        + (f"; {len(names) - len(stale)} already up to date" if len(stale) < len(names) else "")
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
