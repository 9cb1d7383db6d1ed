"""Re-check a stored synthesis result without trusting the run that produced it.

A result record is the JSON of :meth:`solvers.synthesis.SynthesisResult.to_dict`
(or of a subclass), saved next to the proof files of its refutations (``lbt synth
--proof DIR`` writes ``DIR/NAME.result.json``).  :func:`audit_result` checks:

* the table: the record's hex table is well formed and, if the target is a spec
  string, equals what that spec defines today;
* the witness: it is decoded from JSON, re-evaluated on all ``2**n`` rows (on the
  care rows) and has the recorded size, and it respects the model's options
  (basis, depth bound; for threshold circuits fan-in, layering, weight bound);
* every refutation: Boolean models re-generate the CNF from the recorded options
  and compare its SHA-256 with the one the proof refutes, then re-check the LRAT
  proof (:func:`solvers.proof.verify_refutation`); threshold models re-check
  the certificate file (:func:`solvers.threshold_verify.verify_certificate`:
  base encoding, every learned clause's separability certificate, LRAT proof);
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
from circuits.targets import target as lookup
from circuits.threshold import ThresholdCircuit
from circuits.truthtable import TruthTable
from solvers.engines import record_options

__all__ = ["Audit", "audit_file", "audit_result"]

_BOOLEAN = ("b2", "aig", "mono")


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
    certificates: frozenset[str] = frozenset()  # names of the certificate files the record refers to
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
    spec = record.get("target")
    if isinstance(spec, str) and not spec.startswith("tt:"):
        try:
            defined = lookup(spec).table
        except LbtError:
            defined = None
        if defined is not None and defined != table:
            raise _Fail(f"the record's table differs from what {spec} defines")
    return table


def _care(record: dict[str, Any], table: TruthTable) -> tuple[int, ...] | None:
    care = record.get("care")
    if care is None:
        return None
    try:
        return tuple(int(c, 16) for c in care)
    except (TypeError, ValueError):
        raise _Fail("the record's care masks are malformed") from None


def _boolean_checks(record: dict[str, Any], base: Path, table: TruthTable, checks: list) -> _Bounds:
    from solvers.boolean_sat import Problem, encode, lower_bound, max_useful_size
    from solvers.cnf import dimacs_sha256
    from solvers.proof import verify_refutation
    from solvers.synthesis import check_witness

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


def _certified_refutations(
    record: dict[str, Any],
    base: Path,
    checks: list,
    verify: Callable[[Path], Any],
    same_options: Callable[[dict[str, Any], int], bool],
) -> list[int]:
    """Sizes whose certificates (threshold or ReLU) re-check and state exactly the recorded claim."""
    verified = []
    for ref in record.get("refutations", []):
        size = ref.get("size")
        paths = _certificate_paths(ref)
        if not paths or None in paths:
            checks.append((False, f"size {size}: no certificate stored (run synth with --proof DIR)"))
            continue
        reasons, good = [], True
        for name in paths:
            cert_path = base / Path(str(name)).name
            try:
                verdict = verify(cert_path)
            except LbtError as exc:  # missing, unreadable or not a certificate
                good = False
                reasons.append(str(exc))
                continue
            try:
                cert = json.loads(cert_path.read_text())
            except (OSError, ValueError):
                cert = {}
            claim = (
                verdict.size == size
                and cert.get("table") == record.get("table")
                and cert.get("n") == record.get("n")
                and same_options(cert.get("options") or {}, size)
            )
            good = good and verdict.verified and claim
            reasons.append(
                verdict.reason if claim else f"{cert_path.name} certifies another claim (size, table or options)"
            )
        checks.append((good, f"size {size}: " + "; ".join(reasons)))
        if good:
            verified.append(int(size))
    return verified


def _check_witness(checks: list, describe: Callable[[], str]) -> None:
    try:
        checks.append((True, describe()))
    except Exception as exc:  # noqa: BLE001 - any failure of the witness is a failed check
        checks.append((False, f"witness rejected: {exc}"))


def _threshold_checks(record: dict[str, Any], base: Path, table: TruthTable, checks: list) -> _Bounds:
    from solvers.threshold_sat import ThresholdOptions, check_witness, lower_bound, max_useful_size
    from solvers.threshold_verify import verify_certificate

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
        record, base, checks, verify_certificate, lambda opts, size: opts == options.to_dict()
    )
    lb, reason = lower_bound(table)
    checks.append((True, "lower bound recomputed: " + reason))
    return lb, verified, max_useful_size(table, options)


def _relu_checks(record: dict[str, Any], base: Path, table: TruthTable, checks: list) -> _Bounds:
    from circuits.relu import ReLUNetwork
    from solvers.relu_sat import ReLUOptions, check_witness
    from solvers.relu_verify import verify_certificate

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

    def same_options(opts: dict[str, Any], size: int) -> bool:
        # sizes 1 and 2 refuted for one hidden layer refute every depth (s neurons have depth <= s)
        layers_ok = opts.get("hidden_layers") == options.hidden_layers or (
            opts.get("hidden_layers") == 1 and size <= 2 and options.max_weight is None
        )
        same = all(opts.get(k) == getattr(options, k) for k in ("skip", "output", "max_weight"))
        return layers_ok and same

    verified = _certified_refutations(record, base, checks, verify_certificate, same_options)
    checks.append((True, "lower bound: every network has an output neuron (size >= 1)"))
    # with weight bound 0 every network computes one constant; no size computes anything else
    forced = (1 << (1 << table.n)) - 1 if options.output == "threshold" else 0
    cap = 0 if options.max_weight == 0 and table.outputs[0] != forced else None
    return 1, verified, cap


def audit_result(record: dict[str, Any], base: str | Path = ".", path: str = "<record>") -> Audit:
    """Check one result record whose files lie in ``base`` (see the module docstring)."""
    base = Path(base)
    checks: list[tuple[bool, str]] = []
    model = record.get("model") if isinstance(record, dict) else None
    try:
        if not isinstance(record, dict):
            raise _Fail("a result record must be a JSON object")
        table = _table(record)
        if model in _BOOLEAN:
            lb, verified, cap = _boolean_checks(record, base, table, checks)
        elif model == "thr":
            lb, verified, cap = _threshold_checks(record, base, table, checks)
        elif model == "relu":
            lb, verified, cap = _relu_checks(record, base, table, checks)
        else:
            raise _Fail(f"cannot audit results of model {model!r}")
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
    except (AttributeError, KeyError, TypeError, ValueError, LbtError) as exc:  # a field of the wrong type or shape
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
        certificates=_certificate_names(record),
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


def _certificate_names(record: Any) -> frozenset[str]:
    """File names of the certificates a (possibly malformed) result record refers to."""
    refs = record.get("refutations") if isinstance(record, dict) else None
    return frozenset(
        Path(str(p)).name for ref in (refs if isinstance(refs, list) else []) for p in _certificate_paths(ref) if p
    )


def audit_file(path: str | Path) -> Audit:
    """:func:`audit_result` on a ``*.result.json`` file; raises :class:`FormatError` if unreadable."""
    path = Path(path)
    try:
        record = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FormatError(f"cannot read result {path}: {exc}") from None
    return audit_result(record, path.parent, str(path))
