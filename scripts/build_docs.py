#!/usr/bin/env python3
"""Build the documentation site with the tour notebook executed, strictly.

The notebook is committed without outputs; this script copies ``docs/`` to a
scratch directory, executes ``docs/notebooks/tour.ipynb`` there with nbclient (a
failing cell fails the build) and runs ``mkdocs build --strict`` on the copy, so
the site shows what this version of lbt prints.  ``mkdocs build --strict``
turns a broken link, a missing page or an API object that does not exist into
an error.  ``tests/test_docs.py`` runs it; by hand::

    python scripts/build_docs.py [-d site]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("notebooks/tour.ipynb",)


def execute_notebook(path: Path, timeout: int = 600) -> None:
    """Run every cell of the notebook at ``path`` and store the outputs in it (CellExecutionError on a failure)."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    nbformat.write(nb, path)


def build(site: Path, *, execute: bool = True) -> dict[str, float]:
    """Build the site into ``site``; returns the seconds spent executing notebooks and building."""
    times = {}
    with tempfile.TemporaryDirectory(prefix="lbt-docs-") as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "docs", work / "docs")
        t0 = time.monotonic()
        if execute:
            for name in NOTEBOOKS:
                execute_notebook(work / "docs" / name)
        times["notebooks"] = time.monotonic() - t0
        config = (ROOT / "mkdocs.yml").read_text()
        for old, new in (("docs_dir: docs", f"docs_dir: {work / 'docs'}"), ("paths: [.]", f"paths: [{ROOT}]")):
            if old not in config:
                raise SystemExit(f"mkdocs.yml: expected the line {old!r}")
            config = config.replace(old, new)
        (work / "mkdocs.yml").write_text(config)
        t0 = time.monotonic()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "build",
                "--strict",
                "-q",
                "-f",
                str(work / "mkdocs.yml"),
                "-d",
                str(site),
            ],
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        times["mkdocs"] = time.monotonic() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}")
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-d", "--site-dir", type=Path, default=ROOT / "site")
    ap.add_argument("--no-execute", action="store_true", help="render the notebooks as committed (no outputs)")
    args = ap.parse_args(argv)
    times = build(args.site_dir.resolve(), execute=not args.no_execute)
    print(f"built {args.site_dir} ({', '.join(f'{k} {v:.1f} s' for k, v in times.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
