"""Lower-bound tables: specs, the store, local and Dask runs, resuming after kill -9, reports, verification."""

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from circuits.boolean import BooleanCircuit
from circuits.errors import SpecError
from circuits.targets import target
from circuits.threshold import ThresholdCircuit
from lbt.store import open_store
from lbt.tablereport import cell_text, export, read_grid
from lbt.tablerun import Reporter, run_table
from lbt.tablespec import load_spec, parse_spec

LBT = [sys.executable, "-c", "from lbt.cli import main; main()"]

TINY = """\
title = "tiny"
rows = ["maj:3", "par:3"]
timeout = 60

[[columns]]
name = "B2"
model = "b2"

[[columns]]
name = "thr"
model = "thr"
"""


def lbt(*args):
    """The command line in a subprocess, as a user runs it."""
    return subprocess.run(LBT + [str(a) for a in args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny table, run once with two local processes."""
    d = tmp_path_factory.mktemp("tiny")
    spec = d / "tiny.toml"
    spec.write_text(TINY)
    summary = run_table(load_spec(spec), jobs=2)
    assert summary.ran == 4 and summary.done == 4
    return spec


def _copy_table(spec: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for p in spec.parent.iterdir():
        if p.name.startswith(spec.stem):
            (shutil.copytree if p.is_dir() else shutil.copy2)(p, dest / p.name)
    return dest / spec.name


# ------------------------------------------------------------------ specs
def test_spec_ranges_and_npn():
    spec = parse_spec('rows = ["ip:1..2", "thr:4:1..2", "npn:3"]\n[[columns]]\nmodel = "b2"\ndepth = 3\n')
    specs = [r.spec for r in spec.rows]
    assert specs[:4] == ["ip:1", "ip:2", "thr:4:1", "thr:4:2"]
    assert [r.param for r in spec.rows[:4]] == [1, 2, 1, 2]
    # 14 NPN classes of 3-input functions (Goto and Takahasi; OEIS A000370)
    assert len(specs) - 4 == 14 and all(s.startswith("tt:3:") for s in specs[4:])
    assert spec.columns[0].name == "b2 depth=3"
    assert len(spec.cells()) == 18


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('rows = ["maj:3"]\n[[columns]]\nmodel = "b3"\n', "unknown model 'b3'"),
        ('rows = ["ip:3..1"]\n[[columns]]\nmodel = "b2"\n', "bad range '3..1'"),
        ('rows = ["ip:1..x"]\n[[columns]]\nmodel = "b2"\n', "bad range '1..x'"),
        ('rows = ["maj:3"]\n[[columns]]\nmodel = "thr"\nlayerd = 2\n', "unknown key 'layerd' for model thr"),
        ('rows = ["maj:3"]\nrow = 1\n[[columns]]\nmodel = "thr"\n', "unknown key 'row'"),
        ('rows = ["maj:3"]\n[[columns]]\nmodel = "b2"\ndepth = 0\n', "depth must be an integer >= 1"),
        ('rows = ["nope:3"]\n[[columns]]\nmodel = "b2"\n', "bad row 'nope:3'"),
        ('rows = ["maj:3", "maj:2..3"]\n[[columns]]\nmodel = "b2"\n', "row maj:3 appears twice"),
        ('rows = ["maj:3"]\n[[columns]]\nmodel = "b2"\n[[columns]]\nmodel = "b2"\n', "two columns are named 'b2'"),
        ('rows = ["maj:3"]\ntimeout = -1\n[[columns]]\nmodel = "b2"\n', "timeout must be a positive number"),
        ('rows = ["npn:5"]\n[[columns]]\nmodel = "b2"\n', "npn:N is supported for N = 1..4"),
        ("rows = [\n", "not valid TOML"),
    ],
)
def test_bad_spec_messages(text, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_spec(text)


def test_bad_spec_cli_one_line_exit_2(tmp_path, cli):
    bad = tmp_path / "bad.toml"
    bad.write_text('rows = ["maj:3"]\n[[columns]]\nmodel = "thr"\nhidden_layers = 1\n')
    proc = lbt("table", "run", bad)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"lbt: error: {bad}: columns[0]: unknown key 'hidden_layers' for model thr " + (
        "(known: name, model, timeout, max_size, depth, layered, max_weight, fanin)\n"
    )
    for cmd in (("table", "show", bad), ("verify", bad), ("table", "export", bad, "-f", "csv")):
        code, out, err = cli(*cmd)
        assert code == 2 and out == "" and err.count("\n") == 1 and "unknown key 'hidden_layers'" in err
    assert not (tmp_path / "bad.sqlite").exists()
    assert cli("table", "show", tmp_path / "missing.toml")[0] == 2
    assert cli("table", "run", tmp_path / "x.toml", "--jobs", "0")[0] == 2


# ------------------------------------------------------------------ a run and its results
def test_stored_results_match_independent_facts(tiny):
    with open_store(tiny.with_suffix(".sqlite"), create=False) as st:
        cells = {(c.row, c.col): c for c in st.cells()}
        assert st.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len(cells) == 4 and all(c.status == "done" and c.proven for c in cells.values())
    # MAJ_3 needs 4 B2 gates (Knuth, TAOCP 4A, 7.1.2); PAR_3 is two B2 XOR gates
    assert cells[("maj:3", "B2")].size == 4 and cells[("par:3", "B2")].size == 2
    # MAJ_3 is one threshold gate; PAR_3 needs two (it is not linearly separable)
    assert cells[("maj:3", "thr")].size == 1 and cells[("par:3", "thr")].size == 2
    for (row, col), c in cells.items():
        cls = BooleanCircuit if col == "B2" else ThresholdCircuit
        circuit = cls.from_dict(c.witness)
        assert circuit.computes(target(row).table) and circuit.size == c.size
        assert c.versions["python-sat"] and c.solver and c.wall_seconds > 0
        assert c.result["target"] == row and c.result_sha256
    # the proof files are next to the store, one directory per cell, with their hashes
    maj = cells[("maj:3", "B2")]
    proof_dir = tiny.parent / maj.proof_dir
    assert proof_dir.is_dir() and any(name.endswith(".lrat.gz") for name in maj.proof_files)
    assert len(maj.result["refutations"]) == 2  # sizes 2 and 3


def test_rerun_skips_finished_cells(tiny, cli):
    code, out, _ = cli("table", "run", tiny, "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["skipped"] == 4 and summary["ran"] == 0


def test_show_and_exports(tiny, cli):
    code, out, _ = cli("table", "show", tiny)
    assert code == 0 and "maj:3" in out and "4 proven" in out
    code, out, _ = cli("table", "export", tiny, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    got = {(r["row"], r["column"]): (int(r["size"]), r["proven"]) for r in rows}
    assert got == {
        ("maj:3", "B2"): (4, "True"),
        ("maj:3", "thr"): (1, "True"),
        ("par:3", "B2"): (2, "True"),
        ("par:3", "thr"): (2, "True"),
    }
    data = json.loads(cli("table", "export", tiny.with_suffix(".sqlite"), "-f", "json")[1])
    assert data["rows"] == ["maj:3", "par:3"] and [c["name"] for c in data["columns"]] == ["B2", "thr"]
    assert {(c["row"], c["column"]): c["text"] for c in data["cells"]}[("par:3", "thr")] == "2"
    md = cli("table", "export", tiny, "-f", "md")[1]
    assert md.splitlines()[0] == "| target | B2 | thr |" and "| `maj:3` | 4 | 1 |" in md
    out_file = tiny.parent / "tiny.tex"
    assert cli("table", "export", tiny, "-f", "tex", "-o", out_file)[0] == 0
    tex = out_file.read_text()
    assert "\\begin{tabular}{lrr}" in tex and "\\texttt{par:3} & 2 & 2 \\\\" in tex
    # the distribution: MAJ_3 and PAR_3 cost 4 and 2 over B2, 1 and 2 as threshold circuits
    dist = cli("table", "export", tiny, "-f", "dist")[1].splitlines()
    assert dist[0] == "| minimum size | B2 | thr |"
    assert {"| 1 | 0 | 1 |", "| 2 | 1 | 1 |", "| 4 | 1 | 0 |", "| not proven | 0 | 0 |"} <= set(dist)
    code, _, err = cli("table", "export", tiny, "-f", "xls")
    assert code == 2 and "unknown export format" in err


def test_verify_store_and_spec(tiny):
    proc = lbt("verify", tiny, "--json")  # a subprocess: nothing of the run is in memory
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["verified"] == 4 and data["failed"] == 0 and data["not_run"] == 0


def test_verify_store_file(tiny, cli):
    code, out, _ = cli("verify", tiny.with_suffix(".sqlite"))
    assert code == 0 and "verified 4, failed 0" in out
    code, out, _ = cli("verify", tiny.with_suffix(".sqlite"), "--jobs", "2")
    assert code == 0 and "verified 4, failed 0" in out
    for bad in (("--jobs", "0"), ("--jobs", "2", "--claims", tiny)):
        code, _, err = cli("verify", tiny.with_suffix(".sqlite"), *bad)
        assert code == 2 and err.startswith("lbt: error: ") and err.count("\n") == 1, err


def test_tampered_witness_fails_verify(tiny, tmp_path, cli):
    spec = _copy_table(tiny, tmp_path)
    store = spec.with_suffix(".sqlite")
    with sqlite3.connect(store) as conn:
        (text,) = conn.execute("SELECT witness FROM cells WHERE row = 'maj:3' AND col = 'B2'").fetchone()
        witness = json.loads(text)
        # complement the last gate: still a B2 circuit of 4 gates, but it computes NOT MAJ_3
        witness["gates"][-1]["op"] ^= 0b1111
        assert not BooleanCircuit.from_dict(witness).computes(target("maj:3").table)
        conn.execute("UPDATE cells SET witness = ? WHERE row = 'maj:3' AND col = 'B2'", (json.dumps(witness),))
    code, out, _ = cli("verify", spec)
    assert code == 1, out
    assert "FAILED maj:3 × B2" in out and "witness" in out
    assert "verified 3, failed 1" in out
    with sqlite3.connect(spec.with_suffix(".sqlite")) as conn:  # a corrupt result is a failure, not a crash
        conn.execute("UPDATE cells SET result = '{' WHERE row = 'par:3' AND col = 'thr'")
    code, out, _ = cli("verify", spec)
    assert code == 1 and "verified 2, failed 2" in out
    # checked by two processes: the same verdicts
    code, out, _ = cli("verify", spec, "--jobs", "2")
    assert code == 1 and "verified 2, failed 2" in out and "FAILED maj:3 × B2" in out


def test_a_cell_whose_witness_was_removed_fails_verify(tiny, tmp_path, cli):
    """Removing the witness everywhere (column, result, its SHA-256) leaves a size nothing backs."""
    spec = _copy_table(tiny, tmp_path)
    with sqlite3.connect(spec.with_suffix(".sqlite")) as conn:
        (text,) = conn.execute("SELECT result FROM cells WHERE row = 'maj:3' AND col = 'B2'").fetchone()
        result = json.loads(text)
        result["witness"] = None
        text = json.dumps(result, sort_keys=True)
        digest = hashlib.sha256(text.encode()).hexdigest()
        conn.execute(
            "UPDATE cells SET witness = NULL, result = ?, result_sha256 = ? WHERE row = 'maj:3' AND col = 'B2'",
            (text, digest),
        )
    code, out, _ = cli("verify", spec)
    assert code == 1 and "FAILED maj:3 × B2" in out and "no witness" in out, out


@pytest.mark.parametrize("key, value", [("depth", 3), ("care", ["ff"]), ("fanin", 3)])
def test_a_result_for_another_question_fails_verify(tiny, tmp_path, cli, key, value):
    """A result answering a narrower question (a depth bound, don't-cares) is not the column's answer."""
    spec = _copy_table(tiny, tmp_path)
    with sqlite3.connect(spec.with_suffix(".sqlite")) as conn:
        (text,) = conn.execute("SELECT result FROM cells WHERE row = 'maj:3' AND col = 'B2'").fetchone()
        text = json.dumps(json.loads(text) | {key: value}, sort_keys=True)
        digest = hashlib.sha256(text.encode()).hexdigest()
        conn.execute(
            "UPDATE cells SET result = ?, result_sha256 = ? WHERE row = 'maj:3' AND col = 'B2'", (text, digest)
        )
    code, out, _ = cli("verify", spec)
    assert code == 1 and "FAILED maj:3 × B2" in out and f"option {key}" in out, out


def test_a_row_moved_to_another_column_fails_verify(tiny, tmp_path, cli):
    """The thr column's row, re-keyed under the B2 column's configuration hash, answers another question."""
    spec = _copy_table(tiny, tmp_path)
    with sqlite3.connect(spec.with_suffix(".sqlite")) as conn:
        conn.row_factory = sqlite3.Row
        b2 = conn.execute("SELECT config_sha256 FROM cells WHERE row = 'par:3' AND col = 'B2'").fetchone()[0]
        conn.execute("DELETE FROM cells WHERE row = 'par:3' AND col = 'B2'")
        conn.execute("UPDATE cells SET col = 'B2', config_sha256 = ? WHERE row = 'par:3' AND col = 'thr'", (b2,))
    code, out, _ = cli("verify", spec)
    assert code == 1 and "FAILED par:3 × B2" in out and "configuration" in out, out
    code, out, _ = cli("table", "show", spec, "--json")
    assert code == 0 and all(c["text"] == "" for c in json.loads(out)["cells"] if c["row"] == "par:3"), out


@pytest.mark.parametrize("status", ["timeout", "error"])
def test_a_row_without_a_result_claims_nothing(tiny, tmp_path, cli, status):
    spec = _copy_table(tiny, tmp_path)
    with sqlite3.connect(spec.with_suffix(".sqlite")) as conn:
        conn.execute(
            "UPDATE cells SET status = ?, result = NULL, result_sha256 = NULL, witness = NULL, proven = 1, size = 1, "
            "lower_bound = 1 WHERE row = 'par:3' AND col = 'thr'",
            (status,),
        )
    code, out, _ = cli("verify", spec)
    assert code == 1 and "FAILED par:3 × thr" in out and "no result stored" in out, out
    code, out, _ = cli("table", "export", spec, "--format", "dist")
    counts = [
        line.split("|")[3]
        for line in out.splitlines()
        if line.startswith("| ") and line.split("|")[1].strip().isdigit()
    ]
    assert code == 0 and sum(int(c) for c in counts) == 1, out  # thr: only maj:3's proven minimum counts
    code, out, _ = cli("table", "show", spec, "--json")
    cell = next(c for c in json.loads(out)["cells"] if (c["row"], c["column"]) == ("par:3", "thr"))
    assert not cell["proven"] and cell["size"] is None


def test_truncated_proof_fails_verify(tiny, tmp_path, cli):
    spec = _copy_table(tiny, tmp_path)
    with open_store(spec.with_suffix(".sqlite"), create=False) as st:
        rec = st.get("maj:3", "B2")
    proof = next(spec.parent / rec.proof_dir / n for n in rec.proof_files if n.endswith(".lrat.gz"))
    proof.write_bytes(proof.read_bytes()[: proof.stat().st_size // 2])
    code, out, _ = cli("table", "verify", spec)
    assert code == 1 and "changed" in out
    code, out, _ = cli("table", "verify", spec, "-j", "2")
    assert code == 1 and "changed" in out and "verified 3, failed 1" in out


def test_unproven_cells_are_marked(tmp_path, cli):
    spec_path = tmp_path / "open.toml"
    spec_path.write_text(
        'rows = ["maj:3"]\n[[columns]]\nname = "B2 <= 2 gates"\nmodel = "b2"\nmax_size = 2\n'
        '[[columns]]\nname = "thr"\nmodel = "thr"\n'
    )
    spec = load_spec(spec_path)
    summary = run_table(spec, only=lambda c: c.model == "b2")
    assert summary.done == 1
    cell = next(c for c in spec.cells() if c.model == "thr")
    with open_store(spec.store_path()) as st:  # a result found but not proven minimal
        st.record({**cell.config(), "row": cell.row, "col": cell.column, "config": cell.config(),
                   "config_sha256": cell.config_sha256(), "status": "timeout", "size": 9, "proven": False,
                   "lower_bound": 1, "timeout": 1.0,
                       "result": {"size": 9, "proven": False, "lower_bound": 1}})  # fmt: skip
    grid = read_grid(spec, spec.store_path())
    texts = {c.column: cell_text(grid.get(c)) for c in spec.cells()}
    assert texts == {"B2 <= 2 gates": "≥3", "thr": "≤9"}
    shown = cli("table", "show", spec_path)[1]
    assert "≥3" in shown and "≤9" in shown
    assert "$\\le 9$" in export(grid, "tex") and "$\\ge 3$" in export(grid, "tex")


def test_edited_column_is_not_reused(tiny, tmp_path):
    spec = _copy_table(tiny, tmp_path)
    spec.write_text(spec.read_text().replace('name = "thr"\nmodel = "thr"', 'name = "thr"\nmodel = "thr"\ndepth = 1'))
    grid = read_grid(load_spec(spec), spec.with_suffix(".sqlite"))
    assert grid.counts() == {"cells": 4, "proven": 2, "unproven": 0, "error": 0, "missing": 2}


# ------------------------------------------------------------------ kill -9 and concurrency
KILL_SPEC = """\
rows = ["par:3", "par:4", "sum:3"]
timeout = 60

[[columns]]
name = "thr"
model = "thr"

[[columns]]
name = "B2"
model = "b2"
"""


def _rows(store: Path) -> int:
    try:
        with sqlite3.connect(store, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM cells").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_resume_after_sigkill(tmp_path, cli):
    spec = tmp_path / "k.toml"
    spec.write_text(KILL_SPEC)
    store = tmp_path / "k.sqlite"
    proc = subprocess.Popen(LBT + ["table", "run", str(spec), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _rows(store) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        done = conn.execute("SELECT count(*) FROM cells WHERE status = 'done' AND result IS NOT NULL").fetchone()[0]
        total = conn.execute("SELECT count(*) FROM cells").fetchone()[0]
    assert 2 <= done == total < 6
    code, out, _ = cli("table", "run", spec, "--json", "--jobs", "2")
    assert code == 0
    summary = json.loads(out)
    assert summary["skipped"] == done and summary["ran"] == 6 - done
    assert cli("verify", spec)[0] == 0
    assert not any((tmp_path / "k.proofs" / ".tmp").glob("*/*"))  # scratch of the killed run removed


def _descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid`` with its depth (1 = child), read from /proc."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(d.name))
    out, todo = {}, [(pid, 0)]
    while todo:
        p, depth = todo.pop()
        for c in children.get(p, []):
            out[c] = depth + 1
            todo.append((c, depth + 1))
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the cell processes through /proc")
def test_killed_cell_process_is_recorded_and_redone(tmp_path, cli):
    # one cell (MAJ_5 over B2, minutes of work) is killed with SIGKILL while it runs; the runner
    # records it as an error, keeps the finished cells, and a second run redoes only that cell
    spec = tmp_path / "w.toml"
    spec.write_text('rows = ["par:3", "maj:5"]\ntimeout = 120\n[[columns]]\nmodel = "thr"\n[[columns]]\nmodel = "b2"\n')
    store = tmp_path / "w.sqlite"
    proc = subprocess.Popen(LBT + ["table", "run", str(spec), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    cells: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        # the cells run in processes forked by the forkserver (the runner's child): depth 2
        cells = [p for p, depth in _descendants(proc.pid).items() if depth >= 2]
        if _rows(store) == 3 and cells:
            break
        time.sleep(0.05)
    assert proc.poll() is None and _rows(store) == 3 and cells, "the MAJ_5 cell was not seen running"
    time.sleep(0.5)  # well inside its search
    for p in cells:
        os.kill(p, signal.SIGKILL)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1 and b"died" in out  # the run goes on, reports the lost cell and fails
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        status = dict(conn.execute("SELECT row || ' ' || col, status FROM cells").fetchall())
    assert status == {"par:3 thr": "done", "par:3 b2": "done", "maj:5 thr": "done", "maj:5 b2": "error"}
    code, out, _ = cli("table", "run", spec, "--json", "--timeout", "2")
    summary = json.loads(out)
    assert code == 0 and summary["skipped"] == 3 and summary["ran"] == 1 and summary["timeout"] == 1
    assert cli("verify", spec)[0] == 0


def test_a_failed_transaction_leaves_no_row_and_blocks_other_writers(tmp_path):
    path = tmp_path / "s.sqlite"
    row = {"row": "maj:3", "col": "B2", "config": {}, "config_sha256": "x", "status": "done", "proven": False}
    with open_store(path) as st, open_store(path) as other:
        with pytest.raises(RuntimeError), st.transaction():
            st.record(row)  # joins the outer transaction
            other.conn.execute("PRAGMA busy_timeout = 100")
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.record(row)  # a second writer waits for the lock, here in vain
            raise RuntimeError("the cell's files could not be moved")
        assert st.get("maj:3", "B2") is None and other.get("maj:3", "B2") is None
        other.record(row)  # the lock is free again
        assert st.get("maj:3", "B2").status == "done"


def test_concurrent_runs_on_one_store(tmp_path):
    spec = tmp_path / "c.toml"
    spec.write_text(KILL_SPEC)
    procs = [subprocess.Popen(LBT + ["table", "run", str(spec), "-q"]) for _ in range(2)]
    assert all(p.wait(timeout=300) == 0 for p in procs)
    with sqlite3.connect(tmp_path / "c.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM cells WHERE status = 'done'").fetchone()[0] == 6
    assert lbt("verify", spec).returncode == 0


def test_a_cell_another_run_finished_meanwhile_keeps_that_runs_row(tmp_path):
    """Run B finishes every cell while run A is still on its first: A stores nothing and keeps B's rows and files."""
    spec_path = tmp_path / "c.toml"
    spec_path.write_text(KILL_SPEC)
    spec = load_spec(spec_path)

    class RunOtherOnFirstStart(Reporter):
        def __init__(self) -> None:
            self.other = None
            self.skips: list[str] = []

        def started(self, key, cell):
            if self.other is None:
                self.other = lbt("table", "run", spec_path, "-q")

        def skipped(self, key, cell):
            self.skips.append(key)

    reporter = RunOtherOnFirstStart()
    summary = run_table(spec, reporter=reporter)
    assert reporter.other.returncode == 0, reporter.other.stderr
    assert (summary.ran, summary.skipped) == (0, 6)
    assert len(reporter.skips) == 6
    with sqlite3.connect(tmp_path / "c.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM cells WHERE status = 'done'").fetchone()[0] == 6
    assert lbt("verify", spec_path).returncode == 0


def test_a_rerun_cell_replaces_its_files_and_orphans_are_removed(tmp_path, cli):
    """A cell run again with a longer limit gets a new proof directory, the old one goes once the new row
    is in; a directory no row refers to (a run killed between the two) is removed by the next run."""
    spec_path = tmp_path / "t.toml"
    spec_path.write_text('rows = ["maj:5"]\ntimeout = 1.5\n[[columns]]\nname = "B2"\nmodel = "b2"\n')
    spec = load_spec(spec_path)
    assert run_table(spec).timeout == 1  # sizes 4.. refuted, then the limit
    with open_store(tmp_path / "t.sqlite", create=False) as st:
        first = st.get("maj:5", "B2").proof_dir
    assert first is not None and (tmp_path / first).is_dir()
    orphan = tmp_path / "t.proofs" / "left-by-a-killed-run"
    orphan.mkdir()
    (orphan / "x.cnf").write_text("p cnf 1 1\n1 0\n")
    assert run_table(spec, timeout=2.0).timeout == 1
    with open_store(tmp_path / "t.sqlite", create=False) as st:
        second = st.get("maj:5", "B2").proof_dir
    assert second != first and (tmp_path / second).is_dir()
    assert not (tmp_path / first).exists() and not orphan.exists()
    assert cli("verify", spec_path)[0] == 0


# ------------------------------------------------------------------ Dask, plots, ReLU
def _run_on_dask(distributed, spec):
    """``run_table`` on a two-worker in-process Dask cluster."""
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl,
        distributed.Client(cl) as client,
    ):
        return run_table(spec, scheduler=client)


def test_dask_local_cluster(tiny, tmp_path, cli):
    distributed = pytest.importorskip("distributed")
    spec_path = tmp_path / "d.toml"
    spec_path.write_text(TINY)
    spec = load_spec(spec_path)
    summary = _run_on_dask(distributed, spec)
    assert summary.done == 4
    local = read_grid(load_spec(tiny), tiny.with_suffix(".sqlite"))
    remote = read_grid(spec, spec.store_path())
    assert {k: (r.size, r.proven) for k, r in remote.records.items()} == {
        k: (r.size, r.proven) for k, r in local.records.items()
    }
    # the proof files came back from the workers and verify where the store is
    assert cli("verify", spec_path)[0] == 0


def test_a_hard_cell_on_dask_splits_into_cubes_on_the_same_cluster(tmp_path, cli, monkeypatch):
    # every size "hard" at once: each cell's sizes split into cubes, sent from its worker to the cluster
    import solvers.run

    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(solvers.run, "SPLIT_AFTER", 0.0)
    spec_path = tmp_path / "c.toml"
    spec_path.write_text('rows = ["maj:4"]\nproofs = true\n[[columns]]\nmodel = "b2"\n[[columns]]\nmodel = "thr"\n')
    spec = load_spec(spec_path)
    summary = _run_on_dask(distributed, spec)
    assert summary.done == 2
    grid = read_grid(spec, spec.store_path())
    # MAJ_4 needs 7 B2 gates (Knuth, TAOCP 7.1.2) and one threshold gate
    assert sorted((r.size, r.proven) for r in grid.records.values()) == [(1, True), (7, True)]
    steps = [s for r in grid.records.values() for s in r.result["steps"]]
    assert any(s["method"].endswith("+cubes") for s in steps)
    assert list(spec_path.parent.glob("**/*-c0.lrat.gz"))  # the cubes' proofs came back with the cells
    assert cli("verify", spec_path)[0] == 0


def test_plot(tiny, tmp_path, cli):
    pytest.importorskip("matplotlib")
    out = tmp_path / "tiny.png"
    assert cli("table", "plot", tiny, "-o", out)[0] == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_relu_column(tmp_path, cli):
    spec_path = tmp_path / "r.toml"
    spec_path.write_text('rows = ["par:2"]\ntimeout = 60\n[[columns]]\nname = "relu"\nmodel = "relu"\n')
    spec = load_spec(spec_path)
    summary = run_table(spec)
    with open_store(spec.store_path(), create=False) as st:
        rec = st.get("par:2", "relu")
    assert not summary.error, rec.error  # an engine crash is a failure, never a skip
    # XOR needs two hidden ReLUs and the output neuron (one hidden neuron gives a monotone-in-one-direction map)
    assert rec.proven and rec.size == 3
    code, out, _ = cli("verify", spec_path, "--json")
    assert code == 0, out


def test_html_report_is_one_self_contained_page(tmp_path):
    """`lbt table export --format html`: every cell with value, status and how it was checked, an inline SVG of
    each witness (with dot), the proof paths, the plot; nothing loaded from elsewhere."""
    import re
    import shutil

    spec = tmp_path / "t.toml"
    spec.write_text(
        'title = "html"\nrows = ["par:2..3"]\ntimeout = 60\n'
        '[[columns]]\nname = "B2"\nmodel = "b2"\n'
        '[[columns]]\nname = "thr2"\nmodel = "thr"\nlayered = 2\nmax_size = 3\n'
    )
    assert lbt("table", "run", str(spec)).returncode == 0
    out = tmp_path / "t.html"
    proc = lbt("table", "export", str(spec), "--format", "html", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # offline: no script, no external style sheet, font or image; links only to anchors of the page
    assert "<script" not in page and "<link" not in page and "@import" not in page and "url(http" not in page
    assert not re.findall(r"""(?:src|href)=["'](?!#|data:)""", page)
    # par:3 in 2 layers needs 4 gates: with max_size 3 the cell is a lower bound, shown as one
    assert "≥4" in page and "lower bound (≥k)" in page
    assert page.count("proven minimum") >= 3 and "proofs checked" in page
    assert "par_3-thr-l2-s3.lrat.gz" in page  # the proof of the refuted size 3, by its path
    proof = next(p for p in (tmp_path / "t.proofs").rglob("par_3-thr-l2-s3.lrat.gz"))
    assert proof.is_file()
    if shutil.which("dot"):
        assert page.count("<svg") >= 1 + 3  # the plot and a drawing of each of the three witnesses
    else:
        assert "<pre>" in page
