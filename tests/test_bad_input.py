"""Bad input through the real command line: one line ``lbt: error: ...`` on stderr, exit code 2, nothing left behind.

Each test is a case the command line once got wrong (a traceback, a limit that did not
hold, a confusing message); the last ones feed it generated specs, option values,
files and stored cells.  Most run in this process (the ``cli`` fixture); those that need a
table store run ``lbt`` as a subprocess, as a user does.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from circuits.schema import MAX_NESTING, loads_json, loads_toml, read_bytes
from circuits.targets import target
from solvers.boolean.encoding import Problem, encode
from solvers.limits import DeadlineReached
from solvers.records import StepResult
from solvers.search import search_sizes

LBT = [sys.executable, "-c", "from lbt.cli import main; main()"]
EXAMPLES = Path(__file__).resolve().parent.parent / "scripts" / "examples"
CIRCUIT = EXAMPLES / "full_adder.json"
DEEP = "[" * 100_000 + "]" * 100_000


def lbt(*args, cwd=None):
    return subprocess.run(LBT + [str(a) for a in args], capture_output=True, text=True, cwd=cwd)


def assert_one_error(code, err):
    """Exit code 2 and exactly one stderr line ``lbt: error: ...``, short, without a traceback."""
    assert code == 2, err
    assert err.startswith("lbt: error: ") and err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err and len(err) <= 1100


def error(cli, *args) -> str:
    code, _, err = cli(*args)
    assert_one_error(code, err)
    return err


def listing(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


# ------------------------------------------------------------------ tracebacks that became one line
def test_huge_modulus_is_a_target(cli):
    """mod:N:M:R with M beyond int64 counts modulo M (it overflowed numpy)."""
    code, out, err = cli("info", "mod:2:1000000000000000000000000000000:1", "--json")
    assert code == 0, err
    assert json.loads(out)["hex"] == ["6"] and target("mod:2:1000000000000000000000000000000:1").table.hex() == "6"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["synth", "maj:3", "-q", "--proof", "{file}"], "is not a directory"),
        (["synth", "maj:3", "-q", "-o", "{dir}.json"], "is a directory"),
        (["synth", "maj:3", "-q", "-o", "{missing}/x.json"], "does not exist"),
        (["draw", str(CIRCUIT), "-o", "{missing}/x.dot"], "does not exist"),
        (["draw", str(CIRCUIT), "-o", "{dir}.dot"], "is a directory"),
        (["table", "export", str(EXAMPLES / "x.toml"), "-o", "{dir}"], "is a directory"),
        (["synth", "maj:3", "-q", "--proof", ""], "an empty path"),
        (["verify", "--claims", str(EXAMPLES / "claims.txt"), "--proof", "{file}"], "is not a directory"),
    ],
)
def test_unusable_output_paths(cli, tmp_path, monkeypatch, args, fragment):
    """Checked before any work is done; nothing is written (not even into the current directory)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir.json").mkdir()
    (tmp_path / "dir.dot").mkdir()
    (tmp_path / "dir").mkdir()
    before = listing(tmp_path)
    names = {"file": tmp_path / "file", "dir": tmp_path / "dir", "missing": tmp_path / "missing"}
    assert fragment in error(cli, *[a.format(**names) for a in args])
    assert listing(tmp_path) == before


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_output_where_nothing_can_be_created(cli):
    assert "cannot create directory /proc/x" in error(cli, "synth", "maj:3", "-q", "--proof", "/proc/x")
    assert "cannot write /proc/x.json" in error(cli, "synth", "maj:3", "-q", "-o", "/proc/x.json")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only directories")
def test_unwritable_directory(cli, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        assert "Permission denied" in error(cli, "synth", "maj:3", "-q", "-o", locked / "x.json")
        assert "Permission denied" in error(cli, "draw", CIRCUIT, "-o", locked / "x.dot")
    finally:
        locked.chmod(0o755)


def test_bad_scheduler_address(cli, tmp_path):
    pytest.importorskip("distributed")
    spec = tmp_path / "t.toml"
    spec.write_text('rows = ["maj:3"]\n[[columns]]\nmodel = "b2"\n')
    assert "cannot connect to the Dask scheduler 'bogus'" in error(cli, "table", "run", spec, "--scheduler", "bogus")


@pytest.mark.parametrize("suffix", [".json", ".result.json", ".certs.json"])
def test_deep_json_files(cli, tmp_path, suffix):
    path = tmp_path / f"deep{suffix}"
    path.write_text(DEEP)
    command = "eval" if suffix == ".json" else "verify"
    assert f"nested deeper than {MAX_NESTING} levels" in error(cli, command, path)


@pytest.mark.parametrize("kind", ["claims", "table"])
def test_deep_toml_files(cli, tmp_path, kind):
    path = tmp_path / "deep.toml"
    path.write_text(("claims = " if kind == "claims" else "rows = ") + DEEP)
    args = ["verify", "--claims", path] if kind == "claims" else ["table", "show", path]
    assert f"nested deeper than {MAX_NESTING} levels" in error(cli, *args)


def test_deep_stored_refutation_is_solved_again(cli, tmp_path):
    """Resuming from --proof DIR: a stored record that cannot be read is not trusted, the size is solved again."""
    proofs = tmp_path / "proofs"
    assert cli("synth", "maj:3", "-q", "--proof", proofs)[0] == 0
    for journal in proofs.glob("*.refutation.json"):
        journal.write_text(DEEP)
    code, out, err = cli("synth", "maj:3", "-q", "--proof", proofs, "--json")
    assert code == 0 and json.loads(out)["proven"], err


def test_documents_have_limits():
    assert loads_json("[" * MAX_NESTING + "]" * MAX_NESTING) is not None
    for text in ("[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), "1" * 5000, '{"n": ' + "9" * 4500 + "}"):
        with pytest.raises(Exception, match="nested deeper|more than 4000 digits") as info:
            loads_json(text)
        assert type(info.value).__name__ == "FormatError"
    with pytest.raises(Exception, match="TOML nested deeper"):
        loads_toml("a = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1))


def test_integer_of_5000_digits(cli, tmp_path):
    path = tmp_path / "big.json"
    body = {"n": 1, "basis": "b2", "fanin": 2, "gates": [], "outputs": [[0, False]]}
    text = json.dumps({"format": "lbt", "version": 1, "model": "boolean", "circuit": body})
    path.write_text(text.replace('"n": 1,', '"n": ' + "1" * 5000 + ",", 1))
    assert "more than 4000 digits" in error(cli, "eval", path)


def test_wrong_typed_certificate_options_fail_the_check(cli, tmp_path):
    proofs = tmp_path / "p"
    assert cli("synth", "par:3", "--model", "thr", "-q", "--proof", proofs)[0] == 0
    (cert,) = proofs.glob("*.certs.json")
    data = json.loads(cert.read_text())
    data["options"] = 1
    cert.write_text(json.dumps(data))
    code, out, err = cli("verify", cert)
    assert code == 1 and "FAILED" in out and "options must be an object" in out, err


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A table store with one finished cell (made once; tests work on copies)."""
    root = tmp_path_factory.mktemp("store")
    (root / "t.toml").write_text('rows = ["maj:3"]\n[[columns]]\nmodel = "b2"\n')
    proc = lbt("table", "run", root / "t.toml", "-q")
    assert proc.returncode == 0, proc.stderr
    return root


def _copy_store(store: Path, tmp_path: Path) -> Path:
    for name in ("t.toml", "t.sqlite"):
        (tmp_path / name).write_bytes((store / name).read_bytes())
    return tmp_path / "t.sqlite"


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE cells SET config = '1'",
        "UPDATE cells SET config = '[1]', proof_files = '{\"a\": 1}'",
        "UPDATE cells SET size = 'four', timeout = 'x'",
        "ALTER TABLE cells DROP COLUMN witness",
        "DROP TABLE meta",
    ],
)
def test_damaged_store_rows(cli, store, tmp_path, damage):
    path = _copy_store(store, tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute(damage)
    conn.close()
    for args in (("table", "show", tmp_path / "t.toml"), ("verify", path), ("table", "export", path)):
        code, out, err = cli(*args)
        if code == 2:
            assert_one_error(code, err)
        else:
            assert code == 1 and "FAILED" in out and "Traceback" not in err, (args, err)


def test_byte_flips_in_the_store(cli, store, tmp_path):
    path = _copy_store(store, tmp_path)
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)  # every page after the first
    path.write_bytes(bytes(data))
    for args in (("table", "show", tmp_path / "t.toml"), ("verify", path), ("table", "export", path)):
        assert "database disk image is malformed" in error(cli, *args)


def test_drawing_a_billion_inputs(cli, tmp_path):
    path = tmp_path / "wide.json"
    body = {"n": 10**9, "basis": "b2", "fanin": 2, "gates": [], "outputs": [[0, False]]}
    path.write_text(json.dumps({"format": "lbt", "version": 1, "model": "boolean", "circuit": body}))
    assert "at most" in error(cli, "eval", path)
    assert "a drawing has at most" in error(cli, "draw", path)


@pytest.mark.skipif(sys.platform == "darwin", reason="the file system wants UTF-8 names")
def test_file_name_with_non_utf8_bytes(cli, tmp_path):
    path = tmp_path / os.fsdecode(b"bad\xff.json")
    path.write_bytes(CIRCUIT.read_bytes())
    assert cli("eval", path)[0] == 0
    code, _, err = cli("draw", path)
    assert code == 0, err
    assert path.with_suffix(".dot").is_file()
    assert cli("synth", "maj:3", "-q", "-o", path, "--proof", path.with_suffix(""))[0] == 0
    spec = path.with_suffix(".toml")
    spec.write_text('rows = ["maj:3"]\n[[columns]]\nmodel = "b2"\n')
    assert "the file name of a store must be UTF-8 text" in error(cli, "table", "run", spec)
    assert cli("table", "show", spec)[0] == 0


def test_threshold_gates_with_weight_zero(cli):
    """--max-weight 0: every gate computes [0 >= 0]; answered at once (it ran into numpy's 32 dimensions)."""
    code, out, err = cli("synth", "maj:3", "--model", "thr", "--max-weight", "0", "--json")
    data = json.loads(out)
    assert code == 0 and data["infeasible"] and data["proven"], err
    code, out, _ = cli("synth", "tt:2:f", "--model", "thr", "--max-weight", "0", "--json")
    assert code == 0 and json.loads(out)["size"] == 1


# ------------------------------------------------------------------ limits
def test_encoding_stops_at_the_deadline():
    problem = Problem(target("par:6").table)
    with pytest.raises(DeadlineReached):
        encode(problem, 12, deadline=time.monotonic())


def test_a_formula_built_too_late_is_a_timeout_step():
    def try_size(size):
        raise DeadlineReached

    search = search_sizes(try_size, lb=1, first=1)
    assert search.timed_out and not search.proven
    assert [(s.size, s.status) for s in search.steps] == [(1, "timeout")]
    assert isinstance(search.steps[0], StepResult)


@pytest.mark.parametrize(
    "args",
    [
        ["maj:3", "--from", "100"],  # its formula takes far longer to build than the limit
        ["expr:" + ",".join(f"x{i % 10}&x{(7 * i + 3) % 10}^x{(3 * i + 1) % 10}" for i in range(1000))],
    ],
    ids=["from-100", "expr-1000-outputs"],
)
def test_timeout_holds_while_the_formula_is_built(cli, args):
    code, out, err = cli("synth", *args, "--timeout", "1", "--json")
    data = json.loads(out)
    assert code == 3 and data["timed_out"] and data["steps"][-1]["status"] == "timeout", err


@pytest.mark.parametrize("model", ["b2", "thr"])
def test_absurd_depth_is_no_bound(cli, model):
    code, out, err = cli("synth", "maj:3", "--model", model, "--depth", "99999999999999999999", "--json")
    assert code == 0 and json.loads(out)["proven"], err


def test_absurd_sizes_are_refused(cli):
    for model in ("b2", "thr", "relu"):
        assert "too large to encode" in error(cli, "synth", "maj:3", "--model", model, "--from", "9" * 20)


def test_relu_weight_bound_is_capped(cli):
    assert "max_weight must be an integer in 0.." in error(
        cli, "synth", "maj:3", "--model", "relu", "--max-weight", "99999999999999999999"
    )


def test_threshold_fanin_one_ends(cli):
    """Fan-in 1 computes literals only: no circuit for PAR_4, proven without a time limit."""
    code, out, err = cli("synth", "par:4", "--model", "thr", "--fanin", "1", "--json")
    data = json.loads(out)
    assert code == 0 and data["infeasible"] and data["proven"], err


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "1e999", "１"])
def test_timeout_must_be_positive_and_finite(cli, tmp_path, value):
    spec = tmp_path / "t.toml"
    spec.write_text('rows = ["maj:3"]\n[[columns]]\nmodel = "b2"\n')
    assert "--timeout" in error(cli, "table", "run", spec, "--timeout", value)
    assert "--timeout" in error(cli, "synth", "maj:3", "--timeout", value)


@pytest.mark.parametrize("kind", ["table", "claims"])
def test_infinite_timeout_in_a_file(cli, tmp_path, kind):
    path = tmp_path / "f.toml"
    if kind == "table":
        path.write_text('rows = ["maj:3"]\ntimeout = inf\n[[columns]]\nmodel = "b2"\n')
        args = ["table", "show", path]
    else:
        path.write_text('claims = ["b2 maj:3 = 4"]\ntimeout = nan\n')
        args = ["verify", "--claims", path]
    assert "timeout must be a positive number of seconds" in error(cli, *args)


def test_fundim_work_is_bounded(cli):
    assert "more than 200 parameters" in error(cli, "fundim", "1000,1,1")
    assert "--samples must be in" in error(cli, "fundim", "2,2,1", "--samples", "1000000000")


def test_jobs_are_capped(cli, tmp_path):
    spec = tmp_path / "t.toml"
    spec.write_text('rows = ["maj:3"]\n[[columns]]\nmodel = "b2"\n')
    assert "jobs must be an integer in 1.." in error(cli, "synth", "maj:3", "--jobs", "100000")
    assert "--jobs must be an integer in 1.." in error(cli, "table", "run", spec, "--jobs", "100000")
    assert "--jobs must be an integer in 1.." in error(cli, "verify", spec, "--jobs", "100000")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_only_regular_files_are_read(cli, tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert "is not a regular file" in error(cli, "eval", fifo)  # it used to wait for a writer forever
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    assert "is not a regular file" in error(cli, "eval", zero)
    (tmp_path / "d.json").mkdir()
    assert "is a directory" in error(cli, "eval", tmp_path / "d.json")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_among_the_proof_files(tmp_path):
    """lbt verify hashes a CNF before it is read: a named pipe in its place fails the check instead of blocking."""
    proofs = tmp_path / "p"
    assert lbt("synth", "maj:3", "-q", "--proof", proofs).returncode == 0
    cnf = sorted(proofs.glob("*-s3.cnf"))[0]
    cnf.unlink()
    os.mkfifo(cnf)
    proc = subprocess.run(LBT + ["verify", str(proofs)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "is not a regular file" in proc.stdout, proc.stderr


def test_read_size_cap(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 2000)
    with pytest.raises(Exception, match="too large"):
        read_bytes(path, limit=1000)


def test_rationals_have_no_exponent(cli):
    """Fraction("1e999999999") computes a number of 10^9 digits: options take p, p/q or p.d only."""
    assert "--delta must be an exact rational" in error(cli, "construct", "bitextract", "--delta", "1e999999999")
    assert "--c must be an integer or a range" in error(cli, "construct", "bitextract", "--c", "9" * 5000)
    assert "at most 100 targets" in error(cli, "construct", "selector", "--target", "maj:1..100000000000")


def test_paths_that_cannot_be_looked_at(cli):
    long = "x" * 5000
    assert "File name too long" in error(cli, "synth", "maj:3", "-q", "--proof", long)
    assert "File name too long" in error(cli, "verify", long)
    assert "File name too long" in error(cli, "eval", long + ".json")


# ------------------------------------------------------------------ messages
def test_relu_option_is_named_as_typed(cli):
    err = error(cli, "synth", "maj:3", "--output", "relu")
    assert "option --output does not apply to --model b2" in err and "--output-kind" not in err


def test_negative_architecture_is_an_architecture(cli):
    assert "malformed architecture '-1,2,1'" in error(cli, "fundim", "-1,2,1")


def test_leading_zeros_of_expression_variables():
    assert target("expr:x01").spec == target("expr:x0000001").spec == "expr:x1"
    assert target("expr:x000000000000000000000019").spec == "expr:x19"
    with pytest.raises(Exception, match="out of range"):
        target("expr:x020")


def test_a_device_is_not_a_missing_file(cli, tmp_path):
    cnf = tmp_path / "a.cnf"
    cnf.write_text("p cnf 1 1\n1 0\n")
    assert "/dev/null is not a regular file" in error(cli, "verify-proof", cnf, "/dev/null")


@pytest.mark.parametrize(
    "args",
    [
        ["info", "tt:3:" + "e" * 16_000],
        ["info", "expr:x" + "0" * 16_000 + "1 & y"],
        ["info", "maj:" + "1" * 16_000],
        ["synth", "maj:3", "--model", "m" * 16_000],
        ["fundim", "2," * 8000 + "x"],
    ],
)
def test_messages_quote_a_short_excerpt(cli, args):
    assert len(error(cli, *args)) < 300


@pytest.mark.parametrize(
    "args",
    [
        ["fundim", "２,2,1"],
        ["info", "maj:３"],
        ["info", "expr:x１"],
        ["synth", "maj:3", "--depth", "３"],
        ["synth", "maj:3", "--max-size", "1_0"],
        ["verify", "--claims", "{claims}"],
        ["table", "show", "{spec}"],
    ],
)
def test_only_ascii_digits(cli, tmp_path, args):
    claims = tmp_path / "c.txt"
    claims.write_text("b2 maj:3 = ４\n")
    spec = tmp_path / "s.toml"
    spec.write_text('rows = ["npn:２"]\n[[columns]]\nmodel = "b2"\n')
    error(cli, *[a.format(claims=claims, spec=spec) for a in args])


# ------------------------------------------------------------------ generated input
NUMBERS = st.one_of(
    st.integers(-3, 10**25).map(str),
    st.sampled_from(["", "nan", "inf", "1e999", "1e999999999", "0.0", "1e-9", "２", "1_000", " 1", "+1", "0x10", "-",
                     "1/0", "3/4", "1..3", "0..99999999999", "9" * 5000]),
)  # fmt: skip

SPECS = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda fam, params: fam + ":" + ":".join(params),
        st.sampled_from(["maj", "par", "thr", "mod", "tt", "expr", "ip", "mux", "rand", "exact", "sum", "npn", "x"]),
        st.lists(
            st.one_of(NUMBERS, st.sampled_from(["e8", "x0|x1", "x0,x1&x2", "(" * 200, "x" + "0" * 300 + "1"])),
            max_size=4,
        ),
    ),
)

VALUES = st.one_of(NUMBERS, st.text(max_size=12))

SYNTH_OPTIONS = st.sampled_from(
    ["--depth", "--fanin", "--max-size", "--from", "--timeout", "--jobs", "--layered", "--max-weight",
     "--hidden-layers", "--output", "--solver", "--method", "--care", "--model", "-o", "--proof"]
)  # fmt: skip

CONSTRUCT = st.sampled_from(
    [["construct", "bitextract", "--c"], ["construct", "bitextract", "--d"], ["construct", "bitextract", "--delta"],
     ["construct", "selector", "--target"], ["construct", "lipschitz", "--target"], ["construct", "ip-net", "--d"],
     ["construct", "barrier", "--c"], ["construct", "barrier", "--delta"]]
)  # fmt: skip


def _synth(spec: str, options: list[tuple[str, str]]) -> list[str]:
    args = ["synth", spec, "-q", "--max-size", "4", "--timeout", "2"]
    for option, value in options:
        args += [option, value]
    return args


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    args=st.one_of(
        st.builds(lambda spec: ["info", spec], SPECS),
        st.builds(_synth, SPECS, st.lists(st.tuples(SYNTH_OPTIONS, VALUES), max_size=1)),
        st.builds(lambda o: _synth("maj:3", o), st.lists(st.tuples(SYNTH_OPTIONS, VALUES), min_size=1, max_size=2)),
        st.builds(lambda arch: ["fundim", arch, "--tries", "1", "--samples", "20"], st.text(max_size=12) | NUMBERS),
        st.builds(lambda opt, value: opt + [value], CONSTRUCT, VALUES | SPECS),
    )
)
def test_generated_specs_and_options(cli, tmp_path, monkeypatch, args):
    """Whatever the spec or option value: no traceback; an error is one line with exit code 2."""
    monkeypatch.chdir(tmp_path)  # -o and --proof values are relative to a scratch directory
    code, _, err = cli(*args)
    assert code in (0, 1, 2, 3), (args, err)
    if code == 2:
        assert_one_error(code, err)


DOCUMENTS = st.one_of(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(), st.text(max_size=8)),
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
        max_leaves=12,
    ).map(json.dumps),
    st.binary(max_size=200),
    st.lists(st.sampled_from(["b2", "thr", "relu", "maj:3", "ip:1..2", "=", ">=", "4", "depth=２", "timeout=0",
                              "claims = [", "rows = [", '"maj:3"', "]", "[[columns]]", 'model = "b2"', "\n", "#",
                              "p cnf 1 1", "1 0", "0", "-1", "9" * 50]),
             max_size=12).map(" ".join),
)  # fmt: skip


def _valid_circuit() -> dict:
    return json.loads(CIRCUIT.read_text())


def _mutate(doc: dict, path: list, value) -> str:
    """``doc`` with the field at ``path`` (keys; ints index lists) replaced by ``value``, as JSON text."""
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return json.dumps(doc)


FIELDS = st.sampled_from(
    [["version"], ["model"], ["circuit"], ["circuit", "n"], ["circuit", "basis"], ["circuit", "fanin"],
     ["circuit", "gates"], ["circuit", "outputs"], ["circuit", "gates", 0], ["circuit", "gates", 0, "op"],
     ["circuit", "gates", 0, "inputs"], ["circuit", "outputs", 0]]
)  # fmt: skip
FIELD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.text(max_size=6),
    st.lists(st.integers(-3, 9), max_size=3),
)

FILE_COMMANDS = st.sampled_from(
    [["eval", "{file}.json"], ["eval", "{file}.json", "maj:3"], ["eval", "{file}.bench"], ["eval", "{file}.aag"],
     ["draw", "{file}.json", "-o", "{tmp}/out.dot"], ["convert", "{file}.json", "--to", "relu"],
     ["convert", "{file}.json", "--to", "thr"], ["polytope", "{file}.json"], ["verify", "{file}.result.json"],
     ["verify", "{file}.certs.json"], ["verify", "{tmp}"], ["table", "show", "{file}.toml"],
     ["table", "export", "{file}.toml", "-f", "csv"], ["verify", "--claims", "{file}.txt", "--timeout", "1"],
     ["verify", "--claims", "{file}.toml", "--timeout", "1"], ["verify-proof", "{file}.cnf", "{file}.lrat"]]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    args=FILE_COMMANDS,
    document=st.one_of(DOCUMENTS, st.builds(lambda p, v: _mutate(_valid_circuit(), p, v), FIELDS, FIELD_VALUES)),
)
def test_generated_files(cli, tmp_path, args, document):
    """Whatever a file holds: no traceback; an error is one line with exit code 2."""
    stem = tmp_path / "in"
    data = document if isinstance(document, bytes) else document.encode()
    for suffix in (".json", ".bench", ".aag", ".result.json", ".certs.json", ".toml", ".txt", ".cnf", ".lrat"):
        Path(f"{stem}{suffix}").write_bytes(data)
    argv = [a.replace("{file}", str(stem)).replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = cli(*argv)
    assert code in (0, 1, 2, 3), (argv, err)
    if code == 2:
        assert_one_error(code, err)


COLUMNS = st.sampled_from(
    [
        "row",
        "col",
        "config",
        "config_sha256",
        "timeout",
        "status",
        "size",
        "proven",
        "lower_bound",
        "witness",
        "result",
        "proof_dir",
        "proof_files",
        "versions",
        "seconds",
    ]
)
COLUMN_VALUES = st.one_of(st.none(), st.integers(-(10**18), 10**18), st.floats(allow_nan=False), st.text(max_size=10),
                          st.sampled_from(["{}", "[]", "1", '{"model": 1}', '{"options": []}', "[" * 200, "null"]),
                          st.binary(max_size=8))  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=COLUMNS, value=COLUMN_VALUES)
def test_generated_store_values(cli, store, tmp_path, column, value):
    """Whatever a stored cell holds: table show/export and verify fail it or stop on one line, never crash."""
    path = _copy_store(store, tmp_path)
    with sqlite3.connect(path) as conn:
        try:
            conn.execute(f"UPDATE cells SET {column} = ?", (value,))
        except sqlite3.IntegrityError:  # the schema's own constraints (NOT NULL, CHECK) refuse it
            assume(False)
    conn.close()
    for args in (("table", "show", tmp_path / "t.toml"), ("table", "export", path, "-f", "json"), ("verify", path)):
        code, out, err = cli(*args)
        assert code in (0, 1, 2), (args, err)
        if code == 2:
            assert_one_error(code, err)
