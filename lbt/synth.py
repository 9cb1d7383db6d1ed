"""``lbt synth``, ``lbt verify`` and ``lbt verify-proof``: minimum circuits and their certificates.

``lbt synth`` searches sizes upward and prints each size with its verdict and
time, a live line while the solver runs, and the result: the smallest size
found, whether it is *proven* minimal (every smaller size refuted), and the
witness (re-evaluated on all inputs by the solver module before it is returned).

Exit codes: 0 the minimum is proven (or, with a depth bound, no circuit exists
and that is proven); 3 a result without a proof of minimality (time limit,
``--max-size``, ``--from`` above the lower bound); 130 interrupted (the partial
result is printed first); 2 bad input.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Annotated, Any, Self

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from circuits.errors import ArityError, FormatError, LbtError, SpecError, excerpt
from circuits.output import check_output, write_text_atomic
from circuits.schema import check_input_file, file_kind, read_json
from lbt.app import JsonOpt, app, console, emit_json, err_console, int_value, path_value, seconds_value
from solvers.engines import MODELS
from solvers.limits import check_jobs, check_timeout

#: Exit code of a result whose minimality is not proven.
EXIT_UNPROVEN = 3
EXIT_INTERRUPTED = 130


class _Display:
    """Progress callback: a spinner with the current size while solving, one line per finished size."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        )
        self.task: TaskID | None = None
        self.logged = 0  # tenths of a split logged so far (without a live display)

    def _cubes(self, ev: Any) -> None:
        """A cube of a split size is settled: cubes done of all, the share refuted and the time left."""
        state = ev.cubes
        eta = state.eta()
        what = (
            f"size {ev.size}: cubes {state.done}/{state.total}, {100 * state.refuted_share:.0f}% of the search "
            f"space refuted" + ("" if eta is None else f", about {eta:.0f} s left")
        )
        if not self.progress.live.is_started:
            tenth = 10 * state.done // state.total
            if tenth > self.logged:  # a line per tenth of the cubes
                self.logged = tenth
                err_console.print(what)
            return
        if self.task is None:
            self.task = self.progress.add_task(what, total=state.total)
        self.progress.update(self.task, description=what, completed=state.done, total=state.total)

    def __enter__(self) -> Self:
        # the live spinner only on a terminal; in a log, just the lines of finished sizes
        if not self.quiet and err_console.is_terminal:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress.live.is_started:
            self.progress.stop()

    def __call__(self, ev: Any) -> None:
        if self.quiet:
            return
        if ev.status == "split":
            self._cubes(ev)
            return
        self.logged = 0
        if self.task is not None:
            self.progress.remove_task(self.task)
            self.task = None
        if ev.status == "solving":
            if not self.progress.live.is_started:
                err_console.print(f"size {ev.size}: solving ({ev.variables:,} vars, {ev.clauses:,} clauses)")
                return
            what = f"size {ev.size}: solving" + (
                f" ({ev.variables:,} vars, {ev.clauses:,} clauses)" if ev.variables else ""
            )
            self.task = self.progress.add_task(what, total=None)
            return
        verdict = {
            "unsat": "[red]refuted[/red]",
            "sat": "[green]found[/green]",
            "trivial": "[green]found[/green] (no gate needed)",
            "timeout": "[yellow]time limit[/yellow]",
            "interrupted": "[yellow]interrupted[/yellow]",
        }.get(ev.status, ev.status)
        self.progress.console.print(f"size {ev.size}: {verdict}  {ev.seconds:.2f} s  (total {ev.elapsed:.1f} s)")


def _summary(r: Any) -> str:
    refuted = sorted(s.size for s in r.refutations)
    if not refuted:
        span = "no size below it is possible"
    elif len(refuted) == 1:
        span = f"size {refuted[0]} refuted"
    else:
        span = f"sizes {refuted[0]}..{refuted[-1]} refuted"
    if r.size is not None and r.proven:
        return f"minimum size {r.size}, proven ({span}; lower bound: {r.bound_reason})"
    if r.size is not None:
        return f"size {r.size} found; NOT proven minimal: every size below {r.lower_bound} is excluded, {r.lower_bound}..{r.size - 1} not refuted"
    if getattr(r, "infeasible", False) and r.proven:
        return f"no circuit exists under these options (proven: {span})"
    return f"no circuit found; lower bound {r.lower_bound} ({'time limit' if r.timed_out else 'interrupted' if r.interrupted else 'size limit'})"


def _engine_parameters() -> list[inspect.Parameter]:
    """One ``lbt synth`` option per field of the registered engines' options dataclasses.

    A name several engines share (``depth``, ``fanin``, ``max_weight``) is one
    option whose help says what it means for each.  Read off the registry, so a
    newly registered engine's options appear here without an edit.
    """
    from dataclasses import fields

    from solvers.engines import ENGINES

    helps: dict[str, dict[str, list[str]]] = {}
    declared: dict[str, Any] = {}
    for engine in dict.fromkeys(ENGINES.values()):
        label = "/".join(engine.models)
        for f in fields(engine.options):  # type: ignore[arg-type]
            default = f" (default {f.default})" if f.default is not None and not isinstance(f.default, bool) else ""
            helps.setdefault(f.name, {}).setdefault(f"{f.metadata['help']}{default}", []).append(label)
            declared.setdefault(f.name, f.metadata)
    params = []
    for name, meta in declared.items():
        text = "; ".join(f"{', '.join(labels)}: {help_}" for help_, labels in helps[name].items()) + "."
        kind, flag = meta["kind"], meta["flag"] or "--" + name.replace("_", "-")
        option = typer.Option(flag, help=text, parser=int_value) if kind is int else typer.Option(flag, help=text)
        # a type chosen at run time from the registry (int, str, ...): not a static type expression
        annotation = Annotated[kind | None, option]  # type: ignore[valid-type]
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation))
    return params


def synth(
    spec: Annotated[str, typer.Argument(help="Target spec, e.g. maj:5, ip:2, tt:4:6996.")],
    model: Annotated[str, typer.Option("--model", "-m", help=f"Circuit model: {' | '.join(MODELS)}.")] = "b2",
    max_size: Annotated[int | None, typer.Option(help="Give up after this size.", parser=int_value)] = None,
    start: Annotated[
        int | None,
        typer.Option("--from", help="First size to try (sizes below it stay unrefuted).", parser=int_value),
    ] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds for the whole search.", parser=seconds_value)] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Processes: a size still open after 2 s is split into cubes (8 per process) refuted on them.",
            parser=int_value,
        ),
    ] = None,
    cubes: Annotated[
        int | None,
        typer.Option(help="Split every size into at least this many cubes at once (see --jobs).", parser=int_value),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Run the cubes on the Dask cluster at this address (e.g. tcp://host:8786)."),
    ] = None,
    care: Annotated[
        str | None,
        typer.Option(
            help="b2/aig/mono: rows each output is constrained on, as a table in hex (1 = care; others are don't-cares); comma-separated per output."
        ),
    ] = None,
    proof: Annotated[
        Path | None,
        typer.Option(
            help="Write CNF, LRAT proof (and certificates) of every refuted size, the result record, and check them; re-running with the same DIR re-checks stored refutations instead of solving again.",
            parser=path_value,
        ),
    ] = None,
    save_to: Annotated[
        Path | None,
        typer.Option("-o", "--save", help="Write the witness circuit (.json, .bench, .aag).", parser=path_value),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    json_: JsonOpt = False,
    **engine_options: Any,
) -> None:
    """Find the smallest circuit computing a target and prove that nothing smaller exists.

    The model's options (``--depth``, ``--fanin``, ``--max-weight``, ...) are
    those of its engine's options dataclass (:func:`_engine_parameters`).
    """
    from circuits.fileformat import save
    from circuits.targets import target
    from circuits.truthtable import TruthTable
    from solvers.engines import ENGINES, synthesize_model

    model = model.strip().lower()
    if model not in ENGINES:
        raise SpecError(f"unknown model {excerpt(model)} (known: {', '.join(ENGINES)})")
    # what each engine takes is read off its registry entry; any other option given is an error
    given = {key: value for key, value in {**engine_options, "care": care}.items() if value is not None}
    wrong = [key for key in given if key not in ENGINES[model].option_names()]
    if wrong:
        raise SpecError(f"option --{wrong[0].replace('_', '-')} does not apply to --model {model}")
    if save_to is not None and save_to.suffix.lower() not in (".json", ".bench", ".aag"):
        raise SpecError(f"cannot write a circuit to {save_to}: use .json, .bench or .aag")
    if save_to is not None:
        check_output(save_to)
    if proof is not None:
        check_output(proof, directory=True)
    if care is not None:
        table = target(spec).table
        care_table = TruthTable.from_hex(table.n, care)
        if care_table.m != table.m:
            raise ArityError(f"--care gives {care_table.m} masks for {table.m} outputs")
        given["care"] = care_table.outputs
    with _Display(quiet or json_) as display:
        result = synthesize_model(
            spec, model, max_size=max_size, start=start, timeout=timeout, proof_dir=proof, progress=display,
            jobs=jobs, cubes=cubes, scheduler=scheduler, **given,
        )  # fmt: skip
    record = result.to_dict()
    if proof is not None:
        write_text_atomic(proof / f"{result.name}.result.json", json.dumps(record, indent=1) + "\n")
    if save_to is not None and result.circuit is not None:
        save(result.circuit, save_to)
    if json_:
        emit_json(record)
    else:
        console.print(f"[bold]{record['target']}[/bold] over {model}: {_summary(result)}")
        if result.circuit is not None:
            console.print(str(result.circuit))
        if proof is not None:
            console.print(f"proofs and result record in {proof}/ (check them with: lbt verify {proof})")
        if save_to is not None and result.circuit is not None:
            console.print(f"wrote {save_to}")
    if result.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    if not result.proven:
        raise typer.Exit(EXIT_UNPROVEN)


_params = inspect.signature(synth, eval_str=True).parameters.values()
synth.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [*(p for p in _params if p.kind != p.VAR_KEYWORD), *_engine_parameters()]
)
app.command()(synth)


@app.command()
def verify(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="A directory written by `lbt synth --proof DIR`, a *.result.json or a *.certs.json, "
            "or a table spec (.toml) or store (.sqlite).",
            parser=path_value,
        ),
    ] = None,
    claims: Annotated[
        Path | None,
        typer.Option(
            help="Check the claims in FILE (lines such as 'b2 maj:5 = 9', 'thr ip:3 >= 4'; or TOML "
            "claims = [...]) by running the searches they need: confirmed / refuted / unknown.",
            parser=path_value,
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            help="--claims: seconds per claim (default 600; a timeout set in the claims file wins).",
            parser=seconds_value,
        ),
    ] = None,
    proof: Annotated[
        Path | None,
        typer.Option(
            help="--claims: write proofs and result records of the searches to DIR (as lbt synth --proof).",
            parser=path_value,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="--claims: no progress display.")] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", help="A table spec or store: cells checked at the same time.", parser=int_value),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Re-check stored results (witnesses on all inputs, every proof and certificate), or check claims."""
    if jobs is not None and (path is None or path.suffix.lower() not in (".toml", ".sqlite")):
        raise SpecError("--jobs applies only to a table spec (.toml) or store (.sqlite)")
    if jobs is not None:
        check_jobs(jobs)
    if claims is not None:
        if path is not None:
            raise SpecError("give a PATH to re-check or --claims FILE, not both")
        _verify_claims(claims, timeout, proof, quiet, json_)
        return
    if path is None:
        raise SpecError(
            "give a PATH to re-check (a proof directory, result, certificate, spec or store) or --claims FILE"
        )
    if timeout is not None or proof is not None:
        raise SpecError("--timeout and --proof apply only to --claims")
    if path.suffix.lower() in (".toml", ".sqlite"):  # a table spec or its store
        from lbt.table import verify_table

        verify_table(path, json_, 1 if jobs is None else jobs)
        return
    from solvers.audit import audit_result

    kind = file_kind(path)
    if kind == "dir":
        try:
            results = sorted(path.glob("*.result.json"))
            certs = sorted(path.glob("*.certs.json"))
        except OSError as exc:
            raise FormatError(f"cannot list {path}: {exc.strerror or exc}") from None
        if not results and not certs:
            raise FormatError(f"{path} holds no *.result.json or *.certs.json files")
    elif kind == "file":
        results = [path] if path.name.endswith(".result.json") else []
        certs = [path] if path.name.endswith(".certs.json") else []
        if not results and not certs:
            raise FormatError(f"{path}: expected a *.result.json or *.certs.json file")
    else:
        raise FormatError(f"{path}: no such file or directory")
    audits = [audit_result(read_json(p), p.parent, str(p)) for p in results]
    # certificates that no audit checked are checked on their own
    referenced = {name for a in audits for name in a.certificates}
    verdicts = [_verify_certificate(p) for p in certs if p.name not in referenced]
    failed = sum(not a.ok for a in audits) + sum(not v.verified for v in verdicts)
    if json_:
        emit_json(
            {
                "verified": len(audits) + len(verdicts) - failed,
                "failed": failed,
                "results": [a.to_dict() for a in audits],
                "certificates": [v.to_dict() for v in verdicts],
            }
        )
    else:
        for a in audits:  # what a record or certificate says is printed as text, never as markup
            head = "[green]OK[/green]" if a.ok else "[red]FAILED[/red]"
            found = f"size {a.size}" if a.size is not None else "no circuit found" if not a.proven else "no circuit"
            console.print(f"{head} " + escape(f"{a.path}: {a.question}, {found}{' (proven)' if a.proven else ''}"))
            for good, msg in a.checks:
                console.print(f"  {'ok  ' if good else 'FAIL'} {escape(msg)}")
        for v in verdicts:
            console.print(
                f"{'[green]OK[/green]' if v.verified else '[red]FAILED[/red]'} {escape(f'{v.path}: {v.reason}')}"
            )
        console.print(f"verified {len(audits) + len(verdicts) - failed}, failed {failed}")
    if failed:
        raise typer.Exit(1)


#: Seconds per claim when neither ``--timeout`` nor the claim sets one.
CLAIM_TIMEOUT = 600.0


def _verify_claims(path: Path, timeout: float | None, proof: Path | None, quiet: bool, json_: bool) -> None:
    """``lbt verify --claims FILE``: one bounded search per claim.

    Exit 2 if the engine rejects a claim (it is listed as ``ERROR``), else 1 if any
    is refuted, else 3 if any is unknown.
    """
    from lbt.claims import Verdict, check_claim, load_claims

    check_timeout(timeout, "--timeout")
    if proof is not None:
        check_output(proof, directory=True)
    todo = load_claims(path, timeout=CLAIM_TIMEOUT if timeout is None else timeout)
    verdicts: list[Verdict] = []
    style = {"confirmed": "green", "refuted": "red", "unknown": "yellow", "error": "red"}
    interrupted = False
    for claim in todo:
        if not (quiet or json_):
            err_console.print(f"[bold]{claim}[/bold] (line {claim.line}; time limit {claim.timeout:g} s)")
        with _Display(quiet or json_) as display:
            try:
                v = check_claim(claim, proof_dir=proof, progress=display)
            except KeyboardInterrupt:
                interrupted = True
                break
            except LbtError as exc:  # a claim the engine rejects (e.g. mono and a non-monotone target)
                v = Verdict(claim, "error", str(exc), 0, None)
        if proof is not None and v.result is not None:
            tag = {"=": "eq", ">=": "ge", "<=": "le"}[claim.op] + str(claim.value)
            write_text_atomic(proof / f"{v.name}-{tag}.result.json", json.dumps(v.result, indent=1) + "\n")
        verdicts.append(v)
        if not json_:
            color = style[v.verdict]
            line = f"{claim}   {v.reason}; {v.seconds:.1f} s"
            console.print(f"[{color}]{v.verdict.upper():9}[/{color}] {escape(line)}")
        if v.result is not None and v.result.get("interrupted"):
            interrupted = True
            break
    counts = {key: sum(v.verdict == key for v in verdicts) for key in style}
    counts["unknown"] += len(todo) - len(verdicts)
    if json_:
        emit_json({**counts, "claims": [v.to_dict() for v in verdicts]})
    else:
        skipped = len(todo) - len(verdicts)
        console.print(
            f"{counts['confirmed']} confirmed, {counts['refuted']} refuted, {counts['unknown']} unknown"
            + (f", {counts['error']} rejected" if counts["error"] else "")
            + (f" ({skipped} not checked: interrupted)" if skipped else "")
        )
    if interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)
    if counts["error"]:
        raise typer.Exit(2)
    if counts["refuted"]:
        raise typer.Exit(1)
    if counts["unknown"]:
        raise typer.Exit(EXIT_UNPROVEN)


def _verify_certificate(path: Path) -> Any:
    """Re-check a certificate file with the verifier of the engine that reads its ``format``."""
    from solvers.engines import certificate_engine

    data = read_json(path)
    fmt = data.get("format") if isinstance(data, dict) else None
    try:
        engine = certificate_engine(fmt)
    except SpecError:
        raise FormatError(f"{path} is not a refutation certificate lbt knows (format {excerpt(repr(fmt))})") from None
    return engine.verify_certificate(path)


@app.command("verify-proof")
def verify_proof(
    cnf: Annotated[Path, typer.Argument(help="DIMACS CNF file (may be .gz/.xz).", parser=path_value)],
    proof: Annotated[
        Path,
        typer.Argument(help="LRAT proof of its unsatisfiability (text; may be .gz/.xz).", parser=path_value),
    ],
    json_: JsonOpt = False,
) -> None:
    """Check an LRAT refutation with lbt's own checker (exit 0 verified, 1 rejected)."""
    from solvers.lrat import CHECKER_NAME, check_lrat

    for p in (cnf, proof):
        check_input_file(p)
    result = check_lrat(cnf, proof)
    if json_:
        emit_json(
            {
                "cnf": str(cnf),
                "proof": str(proof),
                "checker": CHECKER_NAME,
                "verified": result.verified,
                "reason": result.reason,
                "steps": result.steps,
                "line": result.line,
                "seconds": round(result.seconds, 6),
            }
        )
    else:
        verdict = "[green]VERIFIED[/green]" if result.verified else "[red]REJECTED[/red]"
        where = f" (proof line {result.line})" if result.line else ""
        console.print(f"{verdict}: {result.reason}{where}; {result.steps} proof lines, {result.seconds:.2f} s")
    if not result.verified:
        raise typer.Exit(1)
