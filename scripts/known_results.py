#!/usr/bin/env python3
"""Render docs/known-results.md from tables/known/literature.claims and one run of it.

The run is the JSON that ``lbt verify --claims tables/known/literature.claims
--timeout SEC --json`` prints; the page lists every claim of the file under the
comment that cites its source, with lbt's verdict, what the search established
and the time the claim took.  ``tests/test_docs.py`` checks that the page lists
every claim of the file, so the file and the page cannot drift apart.

Usage::

    lbt verify --claims tables/known/literature.claims --timeout 900 --json > run.json
    python scripts/known_results.py run.json --timeout 900 --machine "2 shared cores" [-o docs/known-results.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "tables" / "known" / "literature.claims"


def blocks(text: str) -> list[tuple[str, str, list[tuple[int, str]]]]:
    """``(section, source comment, [(line number, claim text)])`` for each paragraph of the claims file."""
    out = []
    section = ""
    comment: list[str] = []
    claims: list[tuple[int, str]] = []

    def close() -> None:
        nonlocal comment, claims
        if claims:
            out.append((section, " ".join(comment), claims))
        comment, claims = [], []

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("##"):
            close()
            heading = line.lstrip("#").strip()
            previous = text.splitlines()[number - 2].strip() if number > 1 else ""
            section = f"{section} {heading}" if previous.startswith("##") else heading  # a heading of two lines
        elif line.startswith("#"):
            if claims:
                close()
            comment.append(line.lstrip("#").strip())
        else:
            claims.append((number, line.split("#", 1)[0].strip()))
    close()
    return [b for b in out if b[0]]  # paragraphs before the first section are the file's own header


def render(run: dict, *, timeout: float, machine: str, date: str, command: str) -> str:
    text = CLAIMS.read_text()
    by_line: dict[int, list[dict]] = {}
    for v in run["claims"]:
        by_line.setdefault(int(v["line"]), []).append(v)
    total = sum(run[k] for k in ("confirmed", "refuted", "unknown")) + run.get("error", 0)
    out = [
        "# Known results",
        "",
        "Exact values from the literature that lbt can decide, each checked by the search it needs. The",
        "claims are `tables/known/literature.claims` (one per line, each under the comment that cites its",
        "source; the [claims syntax](proofs.md#checking-claims-lbt-verify-claims) includes count claims,",
        "`npn:N count S = K`: K of the N-input functions have minimum size S). This page is that file",
        "with lbt's verdict on every claim, from one run of",
        "",
        "```text",
        command,
        "```",
        "",
        f"on {machine}, {date}, with a time limit of {timeout:g} s per claim. "
        f"**{total} claims: {run['confirmed']} confirmed, {run['refuted']} refuted, {run['unknown']} unknown**"
        + (f", {run['error']} rejected" if run.get("error") else "")
        + ".",
        "",
        "A verdict is **confirmed** when every minimum the search leaves possible satisfies the claim,",
        "**refuted** when none does, **unknown** when the time limit left both possible (the column",
        "*established* says how far the search got). The times are wall-clock seconds of each claim on a",
        "shared machine; a count claim reuses the classes that an earlier count claim of the same run",
        "decided, so the first line of Knuth's distribution pays for the searches of the others.",
        "Lines marked *CI* are the fast subset that `tests/test_literature.py` runs in CI.",
    ]
    section = None
    for sec, source, claims in blocks(text):
        if sec != section:
            out += ["", f"## {sec}"]
            section = sec
        out += ["", source, "", "| claim | verdict | established | seconds | CI |", "|---|---|---|---:|:---:|"]
        raw_lines = text.splitlines()
        for number, _ in claims:
            ci = "✓" if "# [ci]" in raw_lines[number - 1] else ""
            for v in by_line.get(number, []):
                out.append(f"| `{v['claim']}` | {v['verdict'].upper()} | {v['reason']} | {v['seconds']:.1f} | {ci} |")
            if number not in by_line:
                out.append(f"| `{raw_lines[number - 1].split('#')[0].strip()}` | not run | | | {ci} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path, help="the JSON printed by lbt verify --claims ... --json")
    ap.add_argument("--timeout", type=float, required=True, help="the per-claim limit the run used")
    ap.add_argument("--machine", default="2 shared cores")
    ap.add_argument("--date", default="")
    ap.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "known-results.md")
    args = ap.parse_args(argv)
    run = json.loads(args.run.read_text())
    command = f"lbt verify --claims tables/known/literature.claims --timeout {args.timeout:g}"
    page = render(run, timeout=args.timeout, machine=args.machine, date=args.date, command=command)
    args.output.write_text(page)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
