"""Checking a certified refutation: the skeleton every model's verifier shares.

A certified refutation is three files (see :mod:`solvers.certified`):
``NAME.certs.json`` (the header stating the question, and one certificate per
learned clause), ``NAME.cnf`` and ``NAME.lrat.gz``.  :func:`verify_file` reads the
certificate file, lets the model's check regenerate the question's encoding
from the header and compare it with the CNF (for engines with learned clauses:
:func:`check_grown_cnf`), checks the LRAT proof with the project's checker and
returns a :class:`Verdict`.  A check rejects with :class:`Reject` and a one-line
reason; nothing in the files is trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circuits.errors import FormatError, LbtError, excerpt
from circuits.schema import is_int
from circuits.targets import name_mismatch
from circuits.truthtable import TruthTable
from solvers.cnf import clauses_hash
from solvers.lrat import Cnf, read_dimacs
from solvers.proof import read_certificate, verify_refutation

__all__ = [
    "AuditFailure",
    "Bounds",
    "Checks",
    "Pieces",
    "Reject",
    "Verdict",
    "PieceBase",
    "certificate_paths",
    "certified_refutations",
    "check_cover",
    "check_cube_list",
    "check_encoding",
    "check_grown_cnf",
    "check_name",
    "check_witness",
    "header",
    "proof_parts",
    "split_count",
    "verify_file",
]


@dataclass(frozen=True)
class Verdict:
    """``verified`` with a one-line ``reason``; ``size`` and ``target`` of the refutation when known.

    ``claim`` (set only when ``verified``) is what the checked files refute, as the
    verifier regenerated it: ``{"n", "table", "size", "options", "widths", "cube"}`` (the
    table in canonical hex, the options as the engine's ``to_dict()``, ``cube`` the
    cube a split case's refutation is restricted to, ``widths``
    the hidden-layer profile of a bit-blasted ReLU refutation, else ``None``).  A
    caller compares it with the claim it needs; the ``target`` name is a label.
    """

    verified: bool
    reason: str
    path: str
    target: str | None = None
    size: int | None = None
    learned: int = 0
    base_clauses: int = 0
    claim: dict[str, Any] | None = None

    def __bool__(self) -> bool:
        return self.verified

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "reason": self.reason,
            "path": self.path,
            "target": self.target,
            "size": self.size,
            "learned": self.learned,
            "base_clauses": self.base_clauses,
        }


def header(
    spec: str,
    encoding: tuple[str, int],
    table: TruthTable,
    size: int,
    options: dict[str, Any],
    clauses: Sequence[Sequence[int]],
    num_vars: int,
    **more: Any,
) -> dict[str, Any]:
    """The header of a certificate file: the question its refutation answers and its base encoding.

    ``encoding`` is ``(name, version)``; ``more`` adds what else the encoding
    depends on (its ``symmetry`` breaking, a ``widths`` profile).  The verifier
    regenerates the encoding from these fields alone.
    """
    name, version = encoding
    return {
        "target": spec,
        "encoding": name,
        "encoding_version": version,
        "n": table.n,
        "table": table.hex(),
        "size": size,
        "options": options,
        **more,
        "num_vars": num_vars,
        "base_clauses": len(clauses),
        "base_sha256": clauses_hash(clauses),
    }


class Reject(Exception):
    """A certificate that does not justify its claim; the message is the one-line reason."""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_encoding(data: dict[str, Any], encoding: str, version: int) -> None:
    """Reject unless the certificate names encoding ``encoding`` at ``version``."""
    if data.get("encoding") != encoding or data.get("encoding_version") != version:
        raise Reject(
            f"encoding {data.get('encoding')!r} v{data.get('encoding_version')!r} is not {encoding!r} v{version}"
        )


def check_name(data: dict[str, Any], table: TruthTable) -> None:
    """Reject unless the certificate's ``target`` spec defines ``table``."""
    wrong = name_mismatch(data.get("target"), table, "the certificate")
    if wrong is not None:
        raise Reject(wrong)


def _header_cube(data: dict[str, Any], num_vars: int) -> list[int]:
    """The cube a certificate's refutation is restricted to (``[]``: none); :class:`Reject` if malformed."""
    cube = data.get("cube", [])
    if not isinstance(cube, list) or not all(is_int(lit) and 0 < abs(lit) <= num_vars for lit in cube):
        raise Reject(f"malformed cube {excerpt(cube)}")
    if len({abs(lit) for lit in cube}) != len(cube):
        raise Reject("the cube names a variable twice")
    return [int(lit) for lit in cube]


def check_grown_cnf(
    cnf: Cnf | None,
    base: Sequence[Sequence[int]],
    num_vars: int,
    data: dict[str, Any],
    justify: Callable[[dict[str, Any], Sequence[int]], None],
) -> tuple[Cnf, int, list[int]]:
    """Check a CNF that is the regenerated ``base`` encoding followed by justified learned clauses.

    ``data`` is the certificate.  Its ``cube`` (a cube of a split case, if any)
    restricts ``base``: the cube's literals follow it as unit clauses, and below
    ``base`` means that restricted encoding.  ``base_clauses`` and ``base_sha256``
    must describe ``base``, and each entry of ``data["learned"]`` must be justified by
    ``justify(entry, clause)`` (which raises :class:`Reject`) for its ``clause``.
    ``cnf`` is the CNF file's content: it must declare ``num_vars`` variables and
    hold ``base`` clause for clause, then exactly the learned clauses.  Without a
    CNF file (``None``: a cube of a split case) the CNF is built here from
    ``base`` and the learned clauses.  Returns the CNF the proof must refute, the
    number of learned clauses and the cube.
    """
    cube = _header_cube(data, num_vars)
    base = [*base, *([lit] for lit in cube)]
    learned, base_n = data.get("learned"), _int(data.get("base_clauses"))
    if not isinstance(learned, list) or base_n is None:
        raise Reject("malformed certificate: learned or base_clauses")
    if len(base) != base_n:
        raise Reject(f"base encoding has {len(base)} clauses, certificate says {base_n}")
    if clauses_hash(base) != data.get("base_sha256"):
        raise Reject("base encoding hash differs from the certificate's")
    if cnf is None:
        try:
            extra = tuple(tuple(int(x) for x in cert["clause"]) for cert in learned)
        except (TypeError, ValueError, KeyError):
            raise Reject("malformed certificate: a learned clause") from None
        cnf = Cnf(num_vars, (*(tuple(c) for c in base), *extra))
    if cnf.num_vars != num_vars:
        raise Reject(f"CNF declares {cnf.num_vars} variables, the encoding has {num_vars}")
    if len(cnf.clauses) != base_n + len(learned):
        raise Reject(f"CNF has {len(cnf.clauses)} clauses, expected {base_n} base + {len(learned)} learned")
    for k, (a, b) in enumerate(zip(cnf.clauses[:base_n], base)):
        if tuple(a) != tuple(b):
            raise Reject(f"CNF clause {k + 1} differs from the regenerated base encoding")
    for k, cert in enumerate(learned):
        clause = cnf.clauses[base_n + k]
        try:
            if not isinstance(cert, dict) or [int(x) for x in cert.get("clause", [])] != list(clause):
                raise Reject(f"differs from its certificate (CNF clause {base_n + k + 1})")
            justify(cert, clause)
        except Reject as exc:
            raise Reject(f"learned clause {k + 1}: {exc}") from None
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, ArithmeticError) as exc:
            raise Reject(f"learned clause {k + 1}: malformed certificate ({type(exc).__name__})") from None
    return cnf, len(learned), cube


#: A model's check of one certificate: ``(data, cnf file or None) -> (claim, what was checked, the CNF the
#: proof must refute)``, with :func:`check_grown_cnf`; raises :class:`Reject`.
Check = Callable[[dict[str, Any], Cnf | None], tuple[dict[str, Any], str, Cnf]]


def verify_file(
    path: str | Path, formats: Iterable[str], version: int, kind: str, check: Check, *, check_proof: bool = True
) -> Verdict:
    """Re-check one ``NAME.certs.json`` of format ``formats``/``version`` with its CNF and LRAT files.

    ``check`` is the model's part (see :data:`Check`).  Raises :class:`FormatError`
    if the certificate file is unreadable or not of ``kind``; everything wrong with
    its content is a rejection (``Verdict.verified`` false).
    """
    path = Path(path)
    data = read_certificate(path, tuple(formats), version, kind)
    target, size = data.get("target"), _int(data.get("size"))
    learned = len(data["learned"]) if isinstance(data.get("learned"), list) else 0
    base_n = _int(data.get("base_clauses")) or 0
    try:
        # the files beside the certificate, by name (a certificate never reaches outside its directory)
        cnf_path = None if data.get("cnf") is None else path.parent / Path(str(data.get("cnf"))).name
        proof_path = path.parent / Path(str(data.get("proof"))).name
        claim, what, cnf = check(data, None if cnf_path is None else read_dimacs(cnf_path))
        if check_proof:
            result = verify_refutation(
                cnf if cnf_path is None else cnf_path,
                proof_path,
                cnf_sha256=data.get("cnf_sha256"),
                proof_sha256=data.get("proof_sha256"),
            )
            if not result.verified:
                raise Reject(f"LRAT proof rejected: {result.reason}")
    except (Reject, FormatError) as exc:
        return Verdict(False, str(exc), str(path), target, size, learned, base_n)
    label = f"size {claim['size']}" + (f", width profile {claim['widths']}" if claim["widths"] is not None else "")
    label += "" if claim.get("cube") is None else f", cube {claim['cube']} of a split"
    reason = f"{label} refuted: {what}, LRAT proof verified" if check_proof else f"{label}: {what} (proof not checked)"
    return Verdict(True, reason, str(path), target, claim["size"], learned, base_n, claim=claim)


# ---------------------------------------------------------------- record checks
#: What a model's checks establish: the recomputed starting lower bound, the sizes whose
#: refutations verified, and the largest useful size under the options (None: unbounded).
Bounds = tuple[int, list[int], int | None]

#: The checks made so far: ``(passed, one-line description)`` each.
Checks = list[tuple[bool, str]]


class AuditFailure(Exception):
    """A record the checks cannot go on with (malformed options, a wrong table); the message says why."""


#: The pieces a refutation of one size must consist of: a description of each piece and the
#: claim (:attr:`Verdict.claim`) its certificate must state; or the reason why no refutation of that size
#: can be accepted for the question.
Pieces = dict[str, dict[str, Any]] | str

#: The base CNF of one piece of a size (``size``, the piece's claim): its clauses and number of variables, from
#: which the cubes of a split piece are derived (:mod:`solvers.cubes`).
PieceBase = Callable[[int, dict[str, Any]], tuple[Sequence[Sequence[int]], int]]


def proof_parts(ref: Any) -> list[dict[str, Any]]:
    """The proof records of one refutation: one per width profile of a bit-blasted ReLU size, else one."""
    proof = ref.get("proof") if isinstance(ref, dict) else None
    if not isinstance(proof, dict):
        return []
    profiles = proof.get("profiles")
    return [p for p in (profiles if isinstance(profiles, list) else [proof]) if isinstance(p, dict)]


def split_count(part: dict[str, Any]) -> int:
    """The number of cubes a split proof record asked for; :class:`Reject` if malformed."""
    from solvers.split import MAX_CUBES

    split = part.get("split")
    count = split.get("cubes") if isinstance(split, dict) else None
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_CUBES:
        raise Reject(f"malformed split {excerpt(split)}")
    return count


def check_cover(
    part: dict[str, Any], clauses: Sequence[Sequence[int]], num_vars: int, cubes: Sequence[Sequence[int]], base: Path
) -> None:
    """Reject unless ``part["cover"]`` is a verified refutation of ``clauses`` with every cube negated.

    That refutation shows that every assignment satisfying ``clauses`` lies in
    one of the cubes; the CNF is regenerated here from the case and the derived
    cubes, and its hash must be the one the proof refutes.
    """
    from solvers.cnf import dimacs_sha256
    from solvers.proof import verify_refutation

    cover = part.get("cover")
    if not isinstance(cover, dict) or not cover.get("proof_path"):
        raise Reject("no coverage proof stored")
    negated = [*clauses, *([-lit for lit in cube] for cube in cubes)]
    if dimacs_sha256(negated, num_vars) != cover.get("cnf_sha256"):
        raise Reject(f"the coverage proof does not refute this case with its {len(cubes)} cubes negated")
    result = verify_refutation(
        Cnf(num_vars, tuple(tuple(c) for c in negated)),
        base / Path(str(cover.get("proof_path"))).name,
        cnf_sha256=cover.get("cnf_sha256"),
        proof_sha256=cover.get("proof_sha256"),
    )
    if not result.verified:
        raise Reject(f"coverage proof rejected: {result.reason}")


def check_cube_list(part: dict[str, Any], cubes: Sequence[Sequence[int]]) -> None:
    """Reject unless the split record lists exactly the derived cubes, in order (nothing missing or extra)."""
    entries = part.get("cubes")
    if not isinstance(entries, list) or len(entries) != len(cubes):
        listed = len(entries) if isinstance(entries, list) else 0
        raise Reject(f"the split has {len(cubes)} cubes, the record lists {listed}")
    for k, (cube, entry) in enumerate(zip(cubes, entries)):
        if not isinstance(entry, dict) or entry.get("cube") != list(cube):
            raise Reject(f"cube {k} {list(cube)} not refuted (the record has another cube in its place)")


def certified_refutations(
    record: dict[str, Any],
    base: Path,
    checks: Checks,
    checked: set[str],
    verify: Callable[[Path], Any],
    pieces: Callable[[int], Pieces],
    piece_base: PieceBase,
) -> list[int]:
    """Sizes for which every piece the question requires (``pieces(size)``) has a verified certificate.

    A piece the record says was split into cubes needs instead a verified
    coverage proof and a verified certificate for every cube, the cubes derived
    here from the piece's base CNF (``piece_base``) and the number of cubes asked
    for (:func:`solvers.cubes.derive`).  The names of the certificate files it
    checks are added to ``checked``.
    """
    from solvers.split import derive

    verified = []
    for ref in record.get("refutations", []):
        size = ref.get("size")
        if not is_int(size) or size < 1:
            checks.append((False, f"refutation of size {excerpt(size)}: not a size"))
            continue
        need = pieces(size)
        if isinstance(need, str):
            checks.append((False, f"size {size}: {need}"))
            continue
        parts = proof_parts(ref)
        reasons: list[str] = []
        good, done = True, set[str]()
        required: dict[str, dict[str, Any]] = {}
        for what, claim in need.items():
            part = next((p for p in parts if p.get("widths") == claim["widths"]), None) if len(parts) > 1 else None
            part = part if part is not None else (parts[0] if len(parts) == 1 else None)
            if part is None or "split" not in part:
                required[what] = claim
                continue
            try:
                clauses, num_vars = piece_base(size, claim)
                cubes = derive(clauses, split_count(part))
                check_cover(part, clauses, num_vars, cubes, base)
                check_cube_list(part, cubes)
            except (Reject, LbtError) as exc:
                good = False
                reasons.append(f"{what}: {exc}")
                continue
            formula = clauses_hash(clauses)  # a cube counts only in the very formula the coverage is about
            for k, cube in enumerate(cubes):
                required[f"{what}, cube {k} {list(cube)}"] = {**claim, "cube": list(cube) or None, "base": formula}
        paths = certificate_paths(ref)
        if None in paths or (required and not paths):
            checks.append((False, f"size {size}: no certificate stored (run synth with --proof DIR)"))
            continue
        for name in paths:
            cert_path = base / Path(str(name)).name
            checked.add(cert_path.name)
            try:
                verdict = verify(cert_path)
            except LbtError as exc:  # missing, unreadable or not a certificate
                good = False
                reasons.append(str(exc))
                continue
            piece = next((what for what, claim in required.items() if claim == verdict.claim), None)
            if verdict.verified and piece is None:
                good = False
                reasons.append(f"{cert_path.name} refutes another question (table, size, options, profile or cube)")
                continue
            good = good and verdict.verified
            if verdict.verified and piece is not None:
                done.add(piece)
                if verdict.claim.get("cube") is None:
                    reasons.append(verdict.reason)
            else:
                reasons.append(verdict.reason)
        cubes_done = sum(1 for what in done if ", cube " in what)
        if cubes_done:
            reasons.append(f"{cubes_done} cubes refuted, their coverage proved")
        missing = [what for what in required if what not in done]
        if missing:
            good = False
            reasons += [f"{what} not refuted" for what in missing[:5]]
            if len(missing) > 5:
                reasons.append(f"and {len(missing) - 5} more pieces not refuted")
        checks.append((good, f"size {size}: " + "; ".join(reasons)))
        if good:
            verified.append(size)
    return verified


def check_witness(checks: Checks, describe: Callable[[], str]) -> None:
    """Add the line ``describe()`` returns, or the failure it raises, to ``checks``."""
    try:
        checks.append((True, describe()))
    except Exception as exc:  # noqa: BLE001 - any failure of the witness is a failed check
        checks.append((False, f"witness rejected: {exc}"))


def certificate_paths(ref: Any) -> list[Any]:
    """The ``certificates_path`` of each proof of one refutation (one per width profile of a bit-blasted
    ReLU size, one per cube of a split case), ``None`` where a proof has none; ``[]`` if there is no proof."""
    out: list[Any] = []
    for part in proof_parts(ref):
        entries = part.get("cubes") if "split" in part else [part]
        if not isinstance(entries, list):
            entries = [None]  # a split without its list of cubes: nothing to check
        out += [e.get("certificates_path") if isinstance(e, dict) else None for e in entries]
    return out
