"""A forger against ``lbt verify``: real result directories of every engine, tampered with.

Each example copies one real directory (written by ``synthesize_model(...,
proof_dir=...)``) and makes one change: it deletes an element of a list in the
result record or in a certificate file, renames a target, or swaps certificate
files (between sizes, between profiles, between records).  The audit must then
fail, unless what is left is still fully justified; for each such case
:func:`justified` names the reason, and a pass that no reason covers fails the
test.  Every pass must also leave a true claim: the minima of these small
instances are known (the untampered runs, which other tests check against brute
force).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from circuits.errors import LbtError
from circuits.targets import target
from solvers.audit import audit_file
from solvers.engines import synthesize_model

#: (name, spec, model, options): every engine and option shape, on instances small enough for CI.
SHAPES = [
    ("b2", "maj:3", "b2", {}),
    ("b2-depth", "maj:3", "b2", {"depth": 3}),
    ("aig", "par:3", "aig", {}),
    ("mono", "maj:3", "mono", {}),
    ("thr", "par:3", "thr", {}),
    ("thr-depth", "par:4", "thr", {"depth": 2}),
    ("thr-layered", "ip:2", "thr", {"layered": 2}),
    ("thr-weights", "par:3", "thr", {"max_weight": 1}),
    ("relu-linear", "par:2", "relu", {}),
    ("relu-relu-out", "par:3", "relu", {"output": "relu"}),
    ("relu-threshold-out", "par:3", "relu", {"output": "threshold"}),
    ("relu-skip", "par:3", "relu", {"skip": True}),
    ("relu-2-layers", "par:2", "relu", {"hidden_layers": 2}),
    ("relu-2-layers-unproven", "par:3", "relu", {"hidden_layers": 2}),
    ("relu-bounded-1-layer", "par:2", "relu", {"max_weight": 1}),
    ("relu-bounded-2-layers", "par:3", "relu", {"hidden_layers": 2, "max_weight": 1}),
    ("relu-bounded-skip", "par:3", "relu", {"hidden_layers": 2, "max_weight": 1, "skip": True}),
    ("b2-infeasible", "par:4", "b2", {"depth": 1}),
    ("thr-infeasible", "par:3", "thr", {"depth": 1}),
    ("relu-infeasible", "par:2", "relu", {"max_weight": 0}),
    # sizes split into cubes (solvers.cubes): a coverage proof and one refutation per cube
    ("b2-cubes", "maj:3", "b2", {"cubes": 4}),
    ("thr-cubes", "par:4", "thr", {"cubes": 4}),
    ("relu-bounded-cubes", "par:3", "relu", {"hidden_layers": 2, "max_weight": 1, "cubes": 2}),
]

RECORD = "record.result.json"


@dataclass(frozen=True)
class Original:
    name: str
    directory: Path
    record: dict[str, Any]


class Corpus(dict):
    """The untampered directories by shape name (shown by name only when an example fails)."""

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(f"<{len(self)} result directories>")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    out = Corpus()
    for name, spec, model, options in SHAPES:
        directory = tmp_path_factory.mktemp(name)
        record = synthesize_model(spec, model, proof_dir=directory, **options).to_dict()
        (directory / RECORD).write_text(json.dumps(record, indent=1))
        out[name] = Original(name, directory, record)
    return out


def test_every_untampered_directory_verifies(corpus):
    for original in corpus.values():
        audit = audit_file(original.directory / RECORD)
        assert audit.ok, (original.name, audit.failures)
    # the shapes cover what they are meant to: refutations split into several profiles, an unproven bound
    profiles = [len(ref["proof"]["profiles"]) for ref in corpus["relu-bounded-2-layers"].record["refutations"]]
    assert max(profiles) >= 2
    assert not corpus["relu-2-layers-unproven"].record["proven"]


# ---------------------------------------------------------------- the changes
def _lists(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Paths (tuples of keys and indices) of the non-empty lists inside a JSON value."""
    out = []
    if isinstance(value, list) and value:
        out.append(prefix)
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        out += _lists(item, (*prefix, key))
    return out


def _at(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


def _json_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix == ".json")


@dataclass(frozen=True)
class Change:
    """One tampering: ``kind`` and what it touched, in words the justification can read."""

    kind: str  # one of KINDS
    file: str  # the file changed (name in the directory)
    path: tuple = ()  # "delete": the list's path and the index; "rename": the field; "delete-line": the line
    detail: Any = None

    def __str__(self) -> str:
        return f"{self.kind} {self.file} {list(self.path)} {self.detail!r}"


def _delete(directory: Path, data: st.DataObject) -> Change | None:
    files = [p for p in _json_files(directory) if _lists(json.loads(p.read_text()))]
    if not files:
        return None
    path = data.draw(st.sampled_from(files), label="file")
    doc = json.loads(path.read_text())
    where = data.draw(st.sampled_from(_lists(doc)), label="list")
    items = _at(doc, where)
    index = data.draw(st.integers(0, len(items) - 1), label="index")
    removed = items.pop(index)
    path.write_text(json.dumps(doc))
    return Change("delete", path.name, (*where, index), removed)


def _names(original: Original) -> list[Any]:
    n = original.record["n"]
    return [
        f"tt:{n}:{original.record['table']}",  # the same table, another name
        original.record["target"].upper().replace(":", " : "),  # the same spec, not in normal form
        f"par:{n}",
        f"maj:{n}",
        f"tt:{n}:0",
        "par:4 (B2 minimum)",
        "nosuchfamily:3",
        "",
        None,
        7,
    ]


def _rename(original: Original, directory: Path, data: st.DataObject) -> Change:
    files = [p for p in _json_files(directory) if "target" in json.loads(p.read_text())]
    path = data.draw(st.sampled_from(files), label="file")
    doc = json.loads(path.read_text())
    name = data.draw(st.sampled_from(_names(original)), label="name")
    doc["target"] = name
    path.write_text(json.dumps(doc))
    return Change("rename", path.name, ("target",), name)


def _proof_files(directory: Path) -> dict[str, list[Path]]:
    """The proof files by role (the suffix after the first dot)."""
    roles: dict[str, list[Path]] = {}
    for p in sorted(directory.iterdir()):
        if p.name != RECORD:
            roles.setdefault(p.name.split(".", 1)[1], []).append(p)
    return roles


def _swap_files(directory: Path, data: st.DataObject) -> Change | None:
    roles = {role: ps for role, ps in _proof_files(directory).items() if len(ps) >= 2}
    if not roles:
        return None
    role = data.draw(st.sampled_from(sorted(roles)), label="role")
    a, b = data.draw(st.lists(st.sampled_from(roles[role]), min_size=2, max_size=2, unique=True), label="pair")
    ta, tb = a.read_bytes(), b.read_bytes()
    a.write_bytes(tb)
    b.write_bytes(ta)
    return Change("swap-files", a.name, (), b.name)


def _refs(record: dict[str, Any]) -> list[tuple]:
    """Paths of the proof objects a record's refutations point at: one per size, per profile, or per cube of a
    split one (its coverage proof too)."""
    out = []
    for i, ref in enumerate(record.get("refutations") or []):
        proof = ref.get("proof") or {}
        parts = (
            [(("refutations", i, "proof", "profiles", j), p) for j, p in enumerate(proof["profiles"])]
            if isinstance(proof.get("profiles"), list)
            else [(("refutations", i, "proof"), proof)]
        )
        for path, part in parts:
            if "split" in part:
                out.append((*path, "cover"))
                out += [(*path, "cubes", k) for k in range(len(part.get("cubes") or []))]
            else:
                out.append(path)
    return out


def _leaves(proof: dict[str, Any]) -> list[dict[str, Any]]:
    """The proof records under one refutation's proof (profiles, and the coverage and cubes of a split)."""
    out = []
    for part in proof.get("profiles", [proof]):
        out += [part["cover"], *part["cubes"]] if "split" in part else [part]
    return out


def _swap_refs(directory: Path, data: st.DataObject) -> Change | None:
    path = directory / RECORD
    record = json.loads(path.read_text())
    refs = _refs(record)
    if len(refs) < 2:
        return None
    a, b = data.draw(st.lists(st.sampled_from(refs), min_size=2, max_size=2, unique=True), label="refs")
    pa, pb = _at(record, a[:-1]), _at(record, b[:-1])
    pa[a[-1]], pb[b[-1]] = pb[b[-1]], pa[a[-1]]
    path.write_text(json.dumps(record))
    return Change("swap-refs", RECORD, a, b)


def _foreign_file(
    corpus: dict[str, Original], original: Original, directory: Path, data: st.DataObject
) -> Change | None:
    """Replace one proof file with the file of the same role from another record's directory."""
    mine = _proof_files(directory)
    other = corpus[data.draw(st.sampled_from(sorted(set(corpus) - {original.name})), label="other")]
    theirs = _proof_files(other.directory)
    roles = sorted(set(mine) & set(theirs))
    if not roles:
        return None
    role = data.draw(st.sampled_from(roles), label="role")
    victim = data.draw(st.sampled_from(mine[role]), label="victim")
    donor = data.draw(st.sampled_from(theirs[role]), label="donor")
    victim.write_bytes(donor.read_bytes())
    return Change("foreign-file", victim.name, (), f"{other.name}/{donor.name}")


def _foreign_cert(
    corpus: dict[str, Original], original: Original, directory: Path, data: st.DataObject
) -> Change | None:
    """Point one refutation of the record at another record's certificate, copied in with its files."""
    path = directory / RECORD
    record = json.loads(path.read_text())
    refs = [r for r in _refs(record) if "certificates_path" in _at(record, r)]
    others = [o for o in corpus.values() if o.name != original.name and list(o.directory.glob("*.certs.json"))]
    if not refs or not others:
        return None
    ref = data.draw(st.sampled_from(refs), label="ref")
    other = data.draw(st.sampled_from(others), label="other")
    cert = data.draw(st.sampled_from(sorted(other.directory.glob("*.certs.json"))), label="cert")
    header = json.loads(cert.read_text())
    for name in (cert.name, header["cnf"], header["proof"]):
        if name is not None:  # a cube's certificate names no CNF file: its CNF is rebuilt from the certificate
            shutil.copyfile(other.directory / name, directory / f"foreign-{name}")
    header.update(proof=f"foreign-{header['proof']}")
    if header["cnf"] is not None:
        header.update(cnf=f"foreign-{header['cnf']}")
    (directory / f"foreign-{cert.name}").write_text(json.dumps(header))
    _at(record, ref)["certificates_path"] = f"foreign-{cert.name}"
    path.write_text(json.dumps(record))
    return Change("foreign-cert", RECORD, ref, f"{other.name}/{cert.name}")


def _delete_line(original: Original, directory: Path, data: st.DataObject) -> Change | None:
    """Delete one line of a CNF or LRAT proof the record rests on, and update every hash that names the file.

    The hashes are rewritten so that they are not what stops the forgery: the
    regenerated encoding and the proof checker must.
    """
    files = sorted(name for name in _referenced(original.directory) if name.endswith((".cnf", ".lrat.gz")))
    if not files:
        return None
    path = directory / data.draw(st.sampled_from(files), label="file")
    packed = path.suffix == ".gz"
    raw = gzip.decompress(path.read_bytes()) if packed else path.read_bytes()
    lines = raw.splitlines(keepends=True)
    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    removed = lines.pop(index)
    new = b"".join(lines)
    path.write_bytes(gzip.compress(new) if packed else new)
    old_hash, new_hash = hashlib.sha256(raw).hexdigest(), hashlib.sha256(new).hexdigest()
    for doc in _json_files(directory):
        doc.write_text(doc.read_text().replace(old_hash, new_hash))
    return Change("delete-line", path.name, (index,), removed.decode())


def _lrat_uses(lines: list[bytes], after: int, clause_id: bytes) -> bool:
    """Whether an LRAT step after line ``after`` names clause ``clause_id`` as a hint or deletes it."""
    for line in lines[after + 1 :]:
        toks = line.split()
        if len(toks) > 1 and toks[1] == b"d":
            if clause_id in toks[2:]:
                return True
        elif toks and clause_id in toks[toks.index(b"0", 1) + 1 :]:
            return True
    return False


# ---------------------------------------------------------------- what may still pass
def _same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    return names == sorted(p.name for p in b.iterdir()) and all(
        (a / name).read_bytes() == (b / name).read_bytes() for name in names
    )


def _spec_table(name: Any):
    try:
        return target(name).table
    except (LbtError, TypeError):
        return None


def justified(original: Original, directory: Path, change: Change) -> str | None:
    """Why the tampered directory is still fully justified, or ``None`` (then the audit must fail)."""
    if _same_files(original.directory, directory):
        return "the change left every file as it was (two identical files swapped)"
    if change.kind == "delete" and change.file == RECORD and change.path[0] == "steps":
        return "the steps are the run's log; no claim rests on them"
    if change.kind in ("swap-files", "swap-refs") and _backing(original.directory) == _backing(directory):
        return "the same certificates back every size, under other file names (two pieces of one size swapped)"
    if change.kind == "delete-line":
        toks = change.detail.split()
        if not toks or toks[0].startswith("c"):
            return "a blank or comment line"
        if change.file.endswith(".lrat.gz"):
            lines = gzip.decompress((original.directory / change.file).read_bytes()).splitlines()
            if len(toks) > 1 and toks[1] == "d":
                return "a deletion step: the clauses stay available longer, every step stays valid"
            if toks[1] != "0" and not _lrat_uses(lines, change.path[0], toks[0].encode()):
                return "a lemma no later step uses: the remaining steps and the empty clause stay valid"
    if change.kind == "foreign-cert":
        mine = _at(original.record, change.path)["certificates_path"]
        if _question(original.directory / Path(mine).name) == _question(
            directory / f"foreign-{Path(change.detail).name}"
        ):
            return "the other record's certificate refutes the very piece this size needs (table, size, options)"
    touched = {change.file} | ({change.detail} if change.kind == "swap-files" else set())
    if change.file != RECORD and not touched & _referenced(original.directory):
        return f"no claim rests on the file: {' and '.join(sorted(touched))} (e.g. a journal, or the CNF of a satisfiable size)"
    if change.kind == "delete" and change.file == RECORD and len(change.path) >= 2 and change.path[-2] == "widths":
        return "a record's copy of a width profile is a label; the profile counted is the one its certificate refutes"
    if change.kind == "delete" and change.path[:1] == ("witness",) and change.path[-2] == "weights":
        record = json.loads((directory / RECORD).read_text())
        if _computes(record["witness"], record["n"], record["table"]):
            return "the witness without that edge still computes the table (evaluated here) with the same size"
    if change.kind == "delete" and change.file == RECORD and change.path[0] == "strengthenings":
        if original.record["model"] in ("thr", "relu"):
            return "a threshold or ReLU record's list of constraints is a label; each certificate names its own"
        if all(_same_cnf(original.record, size, change.detail) for size in _refuted(original.record)):
            return f"strengthening {change.detail} adds no clause to any refuted size's encoding: the same CNFs"
    if change.kind == "delete" and change.file.endswith(".certs.json") and change.path[0] == "symmetry":
        if _same_base(original.directory / change.file, change.detail):
            return f"constraint {change.detail} adds no clause at this size: the certificate's CNF is the same"
    if change.kind == "rename":
        table = _spec_table(change.detail)
        source = (
            original.record if change.file == RECORD else json.loads((original.directory / change.file).read_text())
        )
        if table is not None and table == _spec_table(source["target"]):
            return "the new name defines the same table: the same question"
    return None


def _backing(directory: Path) -> dict[int, list[str]]:
    """For each refuted size of the record, the contents of the files that back it (sorted)."""

    def digest(name: str) -> str:
        return hashlib.sha256((directory / Path(name).name).read_bytes()).hexdigest()

    record = json.loads((directory / RECORD).read_text())
    out: dict[int, list[str]] = {}
    for ref in record["refutations"]:
        for piece in _leaves(ref["proof"]):
            if "certificates_path" in piece:
                cert = json.loads((directory / Path(piece["certificates_path"]).name).read_text())
                files = [f for f in (piece["certificates_path"], cert["cnf"], cert["proof"]) if f is not None]
            else:
                files = [piece[k] for k in ("cnf_path", "proof_path") if piece.get(k)]
            out.setdefault(ref["size"], []).append("+".join(digest(f) for f in files))
    return {size: sorted(pieces) for size, pieces in out.items()}


def _referenced(directory: Path) -> set[str]:
    """Names of the files a record's refutations rest on (certificates with the CNF and proof they name)."""
    record = json.loads((directory / RECORD).read_text())
    names = set()
    for ref in record["refutations"]:
        for piece in _leaves(ref["proof"]):
            if "certificates_path" in piece:
                cert_name = Path(piece["certificates_path"]).name
                cert = json.loads((directory / cert_name).read_text())
                names |= {f for f in (cert_name, cert["cnf"], cert["proof"]) if f is not None}
            else:
                names |= {Path(piece[k]).name for k in ("cnf_path", "proof_path") if piece.get(k)}
    return names


def _question(cert: Path) -> tuple:
    header = json.loads(cert.read_text())
    return tuple(json.dumps(header.get(key), sort_keys=True) for key in ("n", "table", "size", "options", "widths"))


def _computes(witness: dict[str, Any], n: int, table: str) -> bool:
    """Whether a threshold circuit or ReLU network (JSON) computes ``table`` on all ``2**n`` rows.

    Independent of lbt's evaluators: gates ``[sum w·u >= t]``; neurons ``max(0, z)``,
    ``z`` or ``[z >= 0]`` by activation, in exact rational arithmetic.
    """
    digits = (1 << n) // 4 or 1
    want = [int(h, 16) for h in table.split(",")]
    assert all(len(h) == digits for h in table.split(","))
    for r in range(1 << n):
        node = [Fraction((r >> j) & 1) for j in range(n)]
        for unit in witness.get("gates") or witness.get("neurons"):
            z = sum((Fraction(str(w)) * node[u] for u, w in unit["weights"]), Fraction(0))
            if "threshold" in unit:
                node.append(Fraction(int(z >= Fraction(str(unit["threshold"])))))
                continue
            z += Fraction(str(unit["bias"]))
            node.append(
                {"relu": max(z, Fraction(0)), "linear": z, "threshold": Fraction(int(z >= 0))}[unit["activation"]]
            )
        if [node[o] for o in witness["outputs"]] != [Fraction((t >> r) & 1) for t in want]:
            return False
    return True


def _refuted(record: dict[str, Any]) -> list[int]:
    return [ref["size"] for ref in record["refutations"]]


def _same_cnf(record: dict[str, Any], size: int, dropped: str) -> bool:
    """Whether the Boolean encoding of ``size`` is the same with and without strengthening ``dropped``."""
    from circuits.boolean import Basis
    from solvers.boolean.encoding import Problem, encode

    problem = Problem(target(record["target"]).table, Basis(record["model"], record["fanin"]), record["depth"], None)
    chosen = set(record["strengthenings"])
    return (
        encode(problem, size, strengthenings=chosen).clauses
        == encode(problem, size, strengthenings=chosen - {dropped}).clauses
    )


def _same_base(cert: Path, dropped: str) -> bool:
    """Whether a threshold or ReLU certificate's base encoding is the same without constraint ``dropped``."""
    from circuits.truthtable import TruthTable
    from solvers.relu import patterns as relu_sat
    from solvers.threshold import encoding as threshold_sat

    header = json.loads(cert.read_text())
    if "widths" in header:
        return False  # bit-blasted: no list of constraints
    table = TruthTable.from_hex(header["n"], header["table"])
    if header["format"] == "lbt-threshold-refutation":
        options, encode = threshold_sat.ThresholdOptions.from_dict(header["options"]), threshold_sat.encode
    else:
        options, encode = relu_sat.ReLUOptions.from_dict(header["options"]), relu_sat.encode
    chosen = set(header["symmetry"])
    return (
        encode(table, header["size"], options, chosen).clauses
        == encode(table, header["size"], options, chosen - {dropped}).clauses
    )


def _claims_hold(original: Original, record: dict[str, Any]) -> None:
    """A passing record may claim only what is true of the original question."""
    truth = original.record
    if truth["proven"]:
        assert record.get("size") == truth["size"] or not record.get("proven")
        assert (record.get("lower_bound") or 0) <= (truth["size"] or record.get("lower_bound") or 0)
    assert bool(record.get("infeasible")) == bool(truth["infeasible"]) or not record.get("infeasible")


def forge(corpus: Corpus, data: st.DataObject) -> None:
    """One tampering of one directory; the audit must fail unless :func:`justified` names a reason."""
    original = corpus[data.draw(st.sampled_from(sorted(corpus)), label="shape")]
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / original.name
        shutil.copytree(original.directory, directory)
        if kind == "delete":
            change = _delete(directory, data)
        elif kind == "rename":
            change = _rename(original, directory, data)
        elif kind == "swap-files":
            change = _swap_files(directory, data)
        elif kind == "swap-refs":
            change = _swap_refs(directory, data)
        elif kind == "foreign-file":
            change = _foreign_file(corpus, original, directory, data)
        elif kind == "foreign-cert":
            change = _foreign_cert(corpus, original, directory, data)
        else:
            change = _delete_line(original, directory, data)
        if change is None:
            event("nothing of this kind to change")
            return
        audit = audit_file(directory / RECORD)  # never raises
        assert audit.checks
        if not audit.ok:
            event(f"{kind}: rejected")
            return
        reason = justified(original, directory, change)
        assert reason is not None, f"{original.name}: the audit accepts an unjustified change: {change}"
        event(f"{kind}: accepted, {reason.split(':')[0]}")
        _claims_hold(original, json.loads((directory / RECORD).read_text()))


KINDS = [
    "delete",
    "delete",
    "delete",
    "rename",
    "swap-files",
    "swap-refs",
    "foreign-file",
    "foreign-cert",
    "delete-line",
]
_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}


@settings(max_examples=200, **_SETTINGS)
@given(data=st.data())
def test_the_forger_finds_nothing(corpus, data):
    forge(corpus, data)


@pytest.mark.slow
@settings(max_examples=5000, **_SETTINGS)
@given(data=st.data())
def test_the_forger_finds_nothing_in_5000_tries(corpus, data):
    forge(corpus, data)
