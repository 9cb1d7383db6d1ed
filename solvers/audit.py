"""Re-check a stored synthesis result without trusting the run that produced it.

A result record is the JSON of :meth:`solvers.boolean.engine.SynthesisResult.to_dict`
(or of a subclass), saved next to the proof files of its refutations (``lbt synth
--proof DIR`` writes ``DIR/NAME.result.json``).

The principle
-------------
The verifier rebuilds the *question* from the record's target and options
alone, and from the question it derives what every refutation must consist of:
the CNF of each refuted size, and where the engine splits a size into cases
(the hidden-layer width profiles of a bit-blasted ReLU size; sizes that only a
one-hidden-layer refutation can cover), every case.  Then it requires a verified
certificate for each piece.  A certificate counts only for the claim the
verifier regenerated from it (table, size, options, width profile), never for
the name or the list the record gives it.  Nothing the record leaves out is
assumed; a listed certificate that fails, or that refutes some other question
(another table, size, options or profile), fails the check; a surplus one that
verifies is not counted for anything.  The same holds for names: the target is
parsed, the table it defines must equal the record's, and a target that does
not parse fails.  Method choices a record may make (the Boolean strengthenings,
the symmetry breaking of a certificate) are taken only from the engine's fixed
lists of constraints, each sound for the question; the encoders reject the rest.

The checks of :func:`audit_result`:

* the target and table: the record's hex table is well formed and equals the
  table its ``target`` spec defines;
* the witness: it is decoded from JSON, re-evaluated on all ``2**n`` rows (on the
  care rows) and has the recorded size, and it respects the model's options
  (basis, depth bound; for threshold circuits fan-in, layering, weight bound);
* every refutation: Boolean models re-generate the CNF from the recorded options
  and compare its SHA-256 with the one the proof refutes, then re-check the LRAT
  proof (:func:`solvers.proof.verify_refutation`); threshold and ReLU models
  re-check each certificate file (:func:`solvers.threshold.verify.verify_certificate`,
  :func:`solvers.relu.verify.verify_certificate`: base encoding, every learned
  clause's certificate, LRAT proof) and require one for every piece of the size
  (:func:`_relu_pieces`);
* the bounds: a ``size`` needs a witness; the recorded ``lower_bound`` may not
  exceed what the verified refutations give counting up from the recomputed
  starting bound; ``proven`` holds only if every size from that bound up to
  ``size - 1`` has a verified refutation; ``infeasible`` only if every size up
  to the options' largest useful size (``max_useful_size``) has one.

A malformed record (a field of the wrong type or shape) is a failed check,
never an exception.

Files named in a record are looked up by file name in the record's directory,
so a result directory can be moved or copied.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circuits.boolean import Basis, BooleanCircuit
from circuits.errors import FormatError, LbtError
from circuits.schema import is_int
from circuits.targets import name_mismatch
from circuits.threshold import ThresholdCircuit
from circuits.truthtable import TruthTable
from solvers.engines import ENGINES, record_options
from solvers.records import refuted_claim

__all__ = ["Audit", "audit_file", "audit_result"]


@dataclass(frozen=True)
class Audit:
    """The outcome of :func:`audit_result`: ``ok`` and one line per check in ``checks``."""

    path: str
    target: str | None
    model: str | None
    size: int | None
    proven: bool
    ok: bool
    checks: tuple[tuple[bool, str], ...]
    certificates: frozenset[str] = frozenset()  # names of the certificate files the audit checked
    options: tuple[tuple[str, Any], ...] = ()  # the record's options that differ from the engine's defaults

    @property
    def question(self) -> str:
        """``TARGET over MODEL`` with the options that narrow the question, e.g. ``par:4 over b2 (depth=1)``."""
        opts = ", ".join(f"{k}={v}" for k, v in self.options)
        return f"{self.target} over {self.model}" + (f" ({opts})" if opts else "")

    def __bool__(self) -> bool:
        return self.ok

    @property
    def failures(self) -> list[str]:
        return [msg for good, msg in self.checks if not good]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "target": self.target,
            "model": self.model,
            "size": self.size,
            "proven": self.proven,
            "options": dict(self.options),
            "ok": self.ok,
            "checks": [{"ok": good, "check": msg} for good, msg in self.checks],
        }


#: What a model's checks establish: the recomputed starting lower bound, the sizes whose
#: refutations verified, and the largest useful size under the options (None: unbounded).
_Bounds = tuple[int, list[int], int | None]


class _Fail(Exception):
    pass


def _table(record: dict[str, Any]) -> TruthTable:
    try:
        n = int(record["n"])
        table = TruthTable.from_hex(n, str(record["table"]))
    except (KeyError, TypeError, ValueError, LbtError) as exc:
        raise _Fail(f"the record's truth table is malformed: {exc}") from None
    wrong = name_mismatch(record.get("target"), table)
    if wrong is not None:
        raise _Fail(wrong)
    return table


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _care(record: dict[str, Any], table: TruthTable) -> tuple[int, ...] | None:
    care = record.get("care")
    if care is None:
        return None
    try:
        return tuple(int(c, 16) for c in care)
    except (TypeError, ValueError):
        raise _Fail("the record's care masks are malformed") from None


def _boolean_checks(record: dict[str, Any], base: Path, table: TruthTable, checks: list, checked: set) -> _Bounds:
    from solvers.boolean.encoding import Problem, encode, lower_bound, max_useful_size
    from solvers.boolean.engine import check_witness
    from solvers.cnf import dimacs_sha256
    from solvers.proof import verify_refutation

    try:
        problem = Problem(
            table,
            Basis(record["model"], int(record["fanin"])),
            record.get("depth"),
            _care(record, table),
        )
        chosen = frozenset(record["strengthenings"])
    except (KeyError, TypeError, ValueError, LbtError) as exc:
        raise _Fail(f"the record's options are malformed: {exc}") from None
    if record.get("witness") is not None:
        try:
            circuit = BooleanCircuit.from_dict(record["witness"])
            check_witness(circuit, problem, record.get("size"))
            checks.append(
                (
                    True,
                    f"witness: {circuit.size} gates, computes the target on every care row",
                )
            )
        except Exception as exc:  # noqa: BLE001 - any failure of the witness is a failed check
            checks.append((False, f"witness rejected: {exc}"))
    verified = []
    for ref in record.get("refutations", []):
        size = ref.get("size")
        proof = ref.get("proof")
        if proof is None:
            checks.append((False, f"size {size}: no proof stored (run synth with --proof DIR)"))
            continue
        enc = encode(problem, int(size), strengthenings=chosen)
        if dimacs_sha256(enc.clauses, enc.nv) != proof.get("cnf_sha256"):
            checks.append(
                (
                    False,
                    f"size {size}: the CNF refuted is not the encoding of this claim",
                )
            )
            continue
        result = verify_refutation(
            base / Path(proof["cnf_path"]).name,
            base / Path(proof["proof_path"]).name,
            cnf_sha256=proof.get("cnf_sha256"),
            proof_sha256=proof.get("proof_sha256"),
        )
        checks.append(
            (
                result.verified,
                f"size {size}: encoding regenerated; LRAT proof: {result.reason}",
            )
        )
        if result.verified:
            verified.append(int(size))
    lb, reason = lower_bound(problem)
    checks.append((True, "lower bound recomputed: " + reason))
    return lb, verified, max_useful_size(problem)


#: The pieces a refutation of one size must consist of: a description of each piece and the
#: claim (:attr:`solvers.threshold.verify.Verdict.claim`) its certificate must state; or the reason why
#: no refutation of that size can be accepted for the question.
_Pieces = dict[str, dict[str, Any]] | str


def _certified_refutations(
    record: dict[str, Any],
    base: Path,
    checks: list,
    checked: set[str],
    verify: Callable[[Path], Any],
    pieces: Callable[[int], _Pieces],
) -> list[int]:
    """Sizes for which every piece the question requires (``pieces(size)``) has a verified certificate.

    The names of the certificate files it checks are added to ``checked``.
    """
    verified = []
    for ref in record.get("refutations", []):
        size = ref.get("size")
        if not is_int(size) or size < 1:
            checks.append((False, f"refutation of size {_excerpt(repr(size))}: not a size"))
            continue
        need = pieces(size)
        if isinstance(need, str):
            checks.append((False, f"size {size}: {need}"))
            continue
        paths = _certificate_paths(ref)
        if not paths or None in paths:
            checks.append((False, f"size {size}: no certificate stored (run synth with --proof DIR)"))
            continue
        reasons, good, done = [], True, set()
        for name in paths:
            cert_path = base / Path(str(name)).name
            checked.add(cert_path.name)
            try:
                verdict = verify(cert_path)
            except LbtError as exc:  # missing, unreadable or not a certificate
                good = False
                reasons.append(str(exc))
                continue
            piece = next((what for what, claim in need.items() if claim == verdict.claim), None)
            if verdict.verified and piece is None:
                good = False
                reasons.append(f"{cert_path.name} refutes another question (table, size, options or profile)")
                continue
            good = good and verdict.verified
            reasons.append(verdict.reason)
            if verdict.verified:
                done.add(piece)
        missing = [what for what in need if what not in done]
        if missing:
            good = False
            reasons += [f"{what} not refuted" for what in missing]
        checks.append((good, f"size {size}: " + "; ".join(reasons)))
        if good:
            verified.append(size)
    return verified


def _check_witness(checks: list, describe: Callable[[], str]) -> None:
    try:
        checks.append((True, describe()))
    except Exception as exc:  # noqa: BLE001 - any failure of the witness is a failed check
        checks.append((False, f"witness rejected: {exc}"))


def _threshold_checks(record: dict[str, Any], base: Path, table: TruthTable, checks: list, checked: set) -> _Bounds:
    from solvers.threshold.encoding import ThresholdOptions, check_witness, lower_bound, max_useful_size
    from solvers.threshold.verify import verify_certificate

    try:
        options = ThresholdOptions(
            depth=record.get("depth"),
            layered=record.get("layered"),
            max_weight=record.get("max_weight"),
            fanin=record.get("fanin"),
        )
    except LbtError as exc:
        raise _Fail(f"the record's options are malformed: {exc}") from None
    if record.get("witness") is not None:

        def describe() -> str:
            circuit = ThresholdCircuit.from_dict(record["witness"])
            check_witness(circuit, table, options)
            if circuit.size != record.get("size"):
                raise ValueError(f"witness has {circuit.size} gates, record says {record.get('size')}")
            return f"witness: {circuit.size} gates, max |weight| {circuit.max_weight}, exact on all rows"

        _check_witness(checks, describe)
    verified = _certified_refutations(
        record,
        base,
        checks,
        checked,
        verify_certificate,
        lambda size: {"its CNF": refuted_claim(table, size, options.to_dict())},
    )
    lb, reason = lower_bound(table)
    checks.append((True, "lower bound recomputed: " + reason))
    return lb, verified, max_useful_size(table, options)


def _relu_pieces(table: TruthTable, options: Any, size: int) -> _Pieces:
    """What a refutation of ``size`` neurons must consist of, derived from the question alone.

    * integer weights in ``[-W, W]``: one bit-blasted CNF per hidden-layer width
      profile of the size (:func:`solvers.relu.bitblast.profiles`);
    * real weights, one hidden layer: the pattern encoding of the size;
    * real weights, ``L >= 2`` hidden layers: sizes 1 and 2 by the one-hidden-layer
      pattern encoding (a network of ``s`` neurons has depth at most ``s``); no
      method refutes a larger size.
    """
    from solvers.relu.bitblast import profiles
    from solvers.relu.patterns import ReLUOptions

    if options.max_weight is not None:
        try:
            split = profiles(size, options)
        except LbtError as exc:
            return str(exc)
        return {f"width profile {list(w)}": refuted_claim(table, size, options.to_dict(), w) for w in split}
    if options.hidden_layers > 1 and size > 2:
        return (
            f"no method refutes networks of {size} neurons with {options.hidden_layers} hidden layers "
            "and real weights (only sizes 1 and 2, through one hidden layer)"
        )
    one_layer = ReLUOptions(hidden_layers=1, skip=options.skip, output=options.output)
    return {"its CNF": refuted_claim(table, size, one_layer.to_dict())}


def _relu_checks(record: dict[str, Any], base: Path, table: TruthTable, checks: list, checked: set) -> _Bounds:
    from circuits.relu import ReLUNetwork
    from solvers.relu.patterns import ReLUOptions, check_witness
    from solvers.relu.verify import verify_certificate

    try:
        options = ReLUOptions(
            hidden_layers=record["hidden_layers"],
            skip=record["skip"],
            output=record["output"],
            max_weight=record.get("max_weight"),
        )
    except (KeyError, LbtError) as exc:
        raise _Fail(f"the record's options are malformed: {exc}") from None
    if record.get("witness") is not None:

        def describe() -> str:
            net = ReLUNetwork.from_dict(record["witness"])
            check_witness(net, table, options, record.get("size"))
            return f"witness: {net.size} neurons, exact (Fractions) on all rows"

        _check_witness(checks, describe)

    verified = _certified_refutations(
        record, base, checks, checked, verify_certificate, lambda size: _relu_pieces(table, options, size)
    )
    checks.append((True, "lower bound: every network has an output neuron (size >= 1)"))
    # with weight bound 0 every network computes one constant; no size computes anything else
    forced = (1 << (1 << table.n)) - 1 if options.output == "threshold" else 0
    cap = 0 if options.max_weight == 0 and table.outputs[0] != forced else None
    return 1, verified, cap


#: The record checks of each engine family (:attr:`solvers.engines.Engine.audit`).
_CHECKS: dict[str, Callable[[dict[str, Any], Path, TruthTable, list, set], _Bounds]] = {
    "boolean": _boolean_checks,
    "thr": _threshold_checks,
    "relu": _relu_checks,
}


def audit_result(record: dict[str, Any], base: str | Path = ".", path: str = "<record>") -> Audit:
    """Check one result record whose files lie in ``base`` (see the module docstring)."""
    base = Path(base)
    checks: list[tuple[bool, str]] = []
    checked: set[str] = set()  # certificate files the checks verified
    model = record.get("model") if isinstance(record, dict) else None
    try:
        if not isinstance(record, dict):
            raise _Fail("a result record must be a JSON object")
        table = _table(record)
        engine = ENGINES.get(model) if isinstance(model, str) else None
        family = _CHECKS.get(engine.audit) if engine is not None and engine.audit is not None else None
        if family is None:
            raise _Fail(f"cannot audit results of model {_excerpt(repr(model))}")
        lb, verified, cap = family(record, base, table, checks, checked)
        size = record.get("size")
        if size is not None and record.get("witness") is None:
            checks.append((False, f"size {size} claimed, but no witness stored"))
        elif size is None and record.get("witness") is not None:
            checks.append((False, "a witness stored, but no size"))
        bound = lb  # the lower bound the verified refutations justify
        while bound in verified:
            bound += 1
        claimed = record.get("lower_bound")
        if claimed is not None and not (isinstance(claimed, int) and claimed <= bound):
            checks.append((False, f"lower bound {claimed!r} recorded, but the verified refutations give {bound}"))
        elif isinstance(claimed, int) and claimed > lb and not record.get("proven"):
            checks.append((True, f"lower bound {claimed}: {_sizes(lb, claimed - 1)} refuted"))
        if record.get("infeasible"):
            unrefuted = None if cap is None else [s for s in range(lb, cap + 1) if s not in verified]
            if unrefuted is None or unrefuted or size is not None:
                why = "no size bound for these options" if unrefuted is None else f"sizes {unrefuted} not refuted"
                checks.append((False, f"claimed infeasible, but {why}" if size is None else "infeasible with a size"))
            else:
                span = f"at least {lb} needed" if lb > cap else f"{_sizes(lb, cap)} refuted"
                checks.append((True, f"infeasible: no minimum circuit under these options exceeds {cap}, {span}"))
        elif record.get("proven"):
            missing = [s for s in range(lb, size if isinstance(size, int) else lb) if s not in verified]
            if missing or size is None:
                checks.append(
                    (
                        False,
                        f"claimed proven, but sizes {missing} have no verified refutation",
                    )
                )
            else:
                span = "no size below the lower bound" if lb >= size else f"{_sizes(lb, size - 1)} refuted"
                checks.append((True, f"proven: {span}, size {size} found"))
    except _Fail as exc:
        checks.append((False, str(exc)))
    except (AttributeError, KeyError, TypeError, ValueError, ArithmeticError, LbtError) as exc:  # a malformed field
        checks.append((False, f"malformed result record: {type(exc).__name__}: {exc}"))
    ok = bool(checks) and all(good for good, _ in checks)
    return Audit(
        path=path,
        target=record.get("target") if isinstance(record, dict) else None,
        model=model,
        size=record.get("size") if isinstance(record, dict) else None,
        proven=bool(record.get("proven")) if isinstance(record, dict) else False,
        ok=ok,
        checks=tuple(checks),
        certificates=frozenset(checked),
        options=_narrowing_options(record),
    )


def _narrowing_options(record: Any) -> tuple[tuple[str, Any], ...]:
    """The record's options whose values are not the engine's defaults (as they are, however malformed)."""
    try:
        defaults = record_options(record.get("model"))
    except (AttributeError, LbtError):
        return ()
    return tuple((k, record[k]) for k in defaults if k in record and record[k] != defaults[k])


def _sizes(lo: int, hi: int) -> str:
    return f"size {lo}" if lo == hi else f"sizes {lo}..{hi}"


def _certificate_paths(ref: Any) -> list[Any]:
    """The ``certificates_path`` of each proof of one refutation (a ReLU refutation has one per activation
    profile), ``None`` where a proof has none; ``[]`` if the refutation has no proof object."""
    proof = ref.get("proof") if isinstance(ref, dict) else None
    if not isinstance(proof, dict):
        return []
    profiles = proof.get("profiles")
    return [
        r.get("certificates_path") for r in (profiles if isinstance(profiles, list) else [proof]) if isinstance(r, dict)
    ]


def audit_file(path: str | Path) -> Audit:
    """:func:`audit_result` on a ``*.result.json`` file; raises :class:`FormatError` if unreadable."""
    path = Path(path)
    try:
        record = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FormatError(f"cannot read result {path}: {exc}") from None
    return audit_result(record, path.parent, str(path))
