#!/usr/bin/env python3
"""The commands and Python snippets shown in the documentation, run as a reader would run them.

Every page of ``docs/`` (and ``README.md``) is read in order as a script: a
```` ```console ```` block holds ``$ lbt ...`` commands, each followed by the output
it prints; a ```` ```python ```` block is executed.  The blocks of one page run in
one scratch directory holding a copy of ``scripts/examples/`` and ``tables/``, so
a command may read a file an earlier command or snippet of the same page wrote.

What is checked for each command (``tests/test_docs.py``):

* its exit code: 0, or the ``# exit N`` written after it;
* every line of the output shown under it that does not depend on the machine
  (times, elisions ``…``, the live display) is a line of what it prints;
* commands listed in :data:`SLOW` (minutes to hours) are not run by default: the
  test checks instead that the command line accepts their options (the same
  arguments with ``--help``), and the ``slow`` test runs them in full;
  :data:`NOT_RUN` names commands that cannot run here at all (a Dask scheduler).

A ``lbt`` command in a block of any other language is an error: the page must
show it in a console block.

Usage::

    python scripts/docs_commands.py [--update] [--slow] [PAGE ...]

``--update`` rewrites the shown output of every command whose output has no
elision with what it prints now (review the diff); ``--slow`` runs the slow ones too.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LBT = [sys.executable, "-c", "from lbt.cli import main; main()"]

#: Commands that take minutes or hours, with the reason; run only by the slow test.
SLOW = {
    "lbt verify --claims scripts/examples/claims.txt --proof out/claims": "MAJ_5 over B2 alone takes minutes",
    "lbt table run tables/ip_disj.toml --jobs 2": "48 cells, 30 minutes",
    "lbt verify tables/ip_disj.toml --jobs 2": "needs the store of the 30-minute run",
    "lbt table run tables/parity.toml --jobs 2": "90 cells, 50 minutes",
    "lbt verify tables/parity.toml --jobs 2": "needs the store of the 50-minute run",
    "lbt table run tables/npn4.toml --jobs 2": "444 cells, 150 s with 2 jobs",
    "lbt verify tables/npn4.toml": "needs the store of the npn4 run",
    "lbt verify tables/ip_disj.sqlite": "needs the store of the 30-minute run",
    "lbt verify --claims tables/known/literature.claims --timeout 900": "the whole literature file, about an hour",
    "lbt table plot tables/ip_disj.toml -o ip_disj.png": "needs the store of the 30-minute run",
}

#: Commands shown for a setting the tests cannot create, with the reason.
NOT_RUN = {
    "lbt table run tables/parity.toml --scheduler tcp://HOST:8786": "needs a running Dask scheduler",
}

_TIME = re.compile(r"\d+\.\d+ ?(s|min|ms)\b|ETA|elapsed")  # lbt prints times with a decimal point
_ELISION = ("…", "...")


@dataclass
class Command:
    page: Path
    line: int
    text: str  # as shown, without "$ " and without the trailing "# exit N"
    exit_code: int
    output: list[str] = field(default_factory=list)
    block_end: int = 0  # line index (0-based) where the output shown for it ends

    @property
    def argv(self) -> list[str]:
        words = shlex.split(self.text, comments=True)
        return LBT + words[1:]


@dataclass
class Snippet:
    page: Path
    line: int
    code: str


def pages() -> list[Path]:
    return sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]


def parse(page: Path) -> list[Command | Snippet]:
    """The console commands and Python snippets of ``page``, in order.

    Raises ValueError for an ``lbt`` command in a block that is neither console nor text.
    """
    lines = page.read_text().splitlines()
    items: list[Command | Snippet] = []
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\w*)", lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1), i + 1
        end = start
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        body = lines[start:end]
        if lang == "python":
            items.append(Snippet(page, start + 1, "\n".join(body) + "\n"))
        elif lang == "console":
            current: Command | None = None
            for j, text in enumerate(body):
                if text.startswith("$ "):
                    shown = text[2:].strip()
                    code = 0
                    exit_mark = re.search(r"#\s*exit (\d+)\s*$", shown)
                    if exit_mark:
                        code = int(exit_mark.group(1))
                    if not shown.startswith("lbt "):
                        raise ValueError(f"{page.name}:{start + j + 1}: a console block runs lbt commands only")
                    current = Command(page, start + j + 1, shown, code, block_end=start + j + 1)
                    items.append(current)
                elif current is not None:
                    current.output.append(text)
                    current.block_end = start + j + 1
        elif lang not in ("text", "toml"):
            for j, text in enumerate(body):
                if re.match(r"^(\$ )?lbt ", text.strip()):
                    raise ValueError(f"{page.name}:{start + j + 1}: show the lbt command in a console block")
        i = end + 1
    return items


def key(command: Command) -> str:
    """The command as :data:`SLOW` and :data:`NOT_RUN` list it (its words, comments dropped)."""
    return " ".join(shlex.split(command.text, comments=True))


def checkable(line: str) -> bool:
    """Whether a shown output line must appear as it is (it depends on neither the machine nor the moment)."""
    text = line.strip()
    return bool(text) and not any(e in text for e in _ELISION) and not _TIME.search(text)


def scratch(dest: Path) -> Path:
    """A scratch directory with a copy of the files the documented commands read."""
    (dest / "scripts").mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "scripts" / "examples", dest / "scripts" / "examples", dirs_exist_ok=True)
    (dest / "tables").mkdir(exist_ok=True)
    for spec in (ROOT / "tables").glob("*.toml"):
        shutil.copy(spec, dest / "tables" / spec.name)
    shutil.copytree(ROOT / "tables" / "known", dest / "tables" / "known", dirs_exist_ok=True)
    return dest


@dataclass
class Outcome:
    command: Command
    ran: str  # "full", "help" (options only), "not run"
    code: int
    output: str
    seconds: float
    problems: list[str]


def run_command(command: Command, cwd: Path, *, slow: bool) -> Outcome:
    k = key(command)
    args = command.argv[len(LBT) :]
    t0 = time.monotonic()
    if k in NOT_RUN or (k in SLOW and not slow):
        code, stdout, stderr = _invoke([a for a in args if a != "--json"] + ["--help"], cwd)
        problems = [] if code == 0 else [f"the CLI does not accept the options: {stderr.strip()}"]
        return Outcome(command, "help", code, stdout, time.monotonic() - t0, problems)
    code, stdout, stderr = _invoke(args, cwd)
    seconds = time.monotonic() - t0
    printed = stdout + stderr
    problems = []
    if code != command.exit_code:
        problems.append(f"exit code {code}, the page shows {command.exit_code}: {stderr.strip()[-300:]}")
    actual = {line.strip() for line in printed.splitlines()}
    for line in command.output:
        if checkable(line) and line.strip() not in actual:
            problems.append(f"shown but not printed: {line.strip()!r}")
    return Outcome(command, "full", code, printed, seconds, problems)


def _invoke(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run ``lbt ARGS`` in ``cwd``, in this process: typer's CliRunner gives the exit codes and messages of
    the real command (the application maps them itself) without starting Python for each command."""
    from typer.testing import CliRunner

    from lbt.cli import app

    here = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, args, catch_exceptions=False)
    finally:
        os.chdir(here)
    return result.exit_code, result.stdout, result.stderr


def run_snippet(snippet: Snippet, cwd: Path) -> None:
    here = os.getcwd()
    os.chdir(cwd)
    try:
        exec(compile(snippet.code, f"{snippet.page.name}:{snippet.line}", "exec"), {"__name__": "__docs__"})
    finally:
        os.chdir(here)


def run_page(page: Path, cwd: Path, *, slow: bool = False) -> list[Outcome]:
    scratch(cwd)
    outcomes = []
    for item in parse(page):
        if isinstance(item, Snippet):
            run_snippet(item, cwd)
        else:
            outcomes.append(run_command(item, cwd, slow=slow))
    return outcomes


def update(page: Path, outcomes: list[Outcome]) -> int:
    """Replace the shown output of commands whose output has no elision (and no time) by what they printed."""
    lines = page.read_text().splitlines()
    changed = 0
    for o in sorted(outcomes, key=lambda o: -o.command.line):
        c = o.command
        if o.ran != "full" or o.code != c.exit_code or not c.output:
            continue
        if any(not checkable(x) and x.strip() for x in c.output):
            continue
        blank = len(c.output) - len("\n".join(c.output).rstrip("\n").split("\n"))  # keep the blank lines after it
        new = o.output.rstrip("\n").splitlines()
        new = [x for x in new if not x.startswith("wrote ") or any(y.startswith("wrote ") for y in c.output)]
        new += [""] * blank
        if new != c.output:
            lines[c.line : c.block_end] = new
            changed += 1
    page.write_text("\n".join(lines) + "\n")
    return changed


def main(argv: list[str] | None = None) -> int:
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", type=Path)
    ap.add_argument("--update", action="store_true", help="rewrite shown outputs that have no elision")
    ap.add_argument("--slow", action="store_true", help="run the slow commands too")
    args = ap.parse_args(argv)
    failed = 0
    for page in args.pages or pages():
        page = page.resolve()
        with tempfile.TemporaryDirectory() as tmp:
            outcomes = run_page(page, Path(tmp), slow=args.slow)
        for o in outcomes:
            status = "ok" if not o.problems else "FAIL"
            print(f"{status:4} {o.ran:5} {o.seconds:6.1f} s  {page.name}:{o.command.line}  {o.command.text}")
            for p in o.problems:
                print(f"       {p}")
            failed += bool(o.problems)
        if args.update:
            print(f"{page.name}: {update(page, outcomes)} outputs rewritten")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
