"""``lbt polytope`` and ``lbt fundim``: Newton polytopes and functional dimension of ReLU networks."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

import typer

from circuits.errors import FormatError, SpecError
from lbt.app import JsonOpt, app, console, emit_json, int_value, path_value

#: Random points at which ``h_P - h_N`` is compared with the network.
SUPPORT_CHECKS = 20


@app.command()
def polytope(
    file: Annotated[
        Path, typer.Argument(help="ReLU network file (.json) with integer weights and no biases.", parser=path_value)
    ],
    zero_biases: Annotated[
        bool,
        typer.Option(
            "--zero-biases", help="Set every bias to 0 first (the positively homogeneous part of the network)."
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the random check points.", parser=int_value)] = 0,
    json_: JsonOpt = False,
) -> None:
    """Newton polytopes (P, N) of each output: f-vectors, face-volume parities, the parity invariant.

    After k hidden layers every face of dimension >= 2^k of P and N has even normalized
    volume (Haase-Hertrich-Loho).  Exit 1 if a check fails.
    """
    from circuits.fileformat import load
    from circuits.newton import newton_polytopes, parity_report, without_biases
    from circuits.relu import ReLUNetwork

    model = load(file)
    if not isinstance(model, ReLUNetwork):
        raise FormatError(f"{file} holds a {model.MODEL} model; lbt polytope needs a relu network")
    net: ReLUNetwork = without_biases(model) if zero_biases else model
    rng = random.Random(seed)
    outputs: list[dict[str, Any]] = []
    ok = True
    for pair in newton_polytopes(net):
        mismatches = 0
        for _ in range(SUPPORT_CHECKS):
            x = [Fraction(rng.randint(-100, 100), rng.randint(1, 9)) for _ in range(net.n)]
            if pair.value(x) != net.evaluate(x)[pair.index]:
                mismatches += 1
        reports = {name: parity_report(poly, pair.hidden) for name, poly in (("P", pair.P), ("N", pair.N))}
        holds = all(r["holds"] for r in reports.values())
        ok = ok and holds and mismatches == 0
        outputs.append(
            {
                "output": pair.index,
                "hidden_layers": pair.hidden,
                "threshold": 1 << pair.hidden,
                "support_checks": SUPPORT_CHECKS,
                "support_mismatches": mismatches,
                "invariant_holds": holds,
                "P": {**reports["P"], "vertex_list": [list(v) for v in pair.P.vertices]},
                "N": {**reports["N"], "vertex_list": [list(v) for v in pair.N.vertices]},
            }
        )
    if json_:
        emit_json({"file": str(file), "n": net.n, "outputs": outputs, "ok": ok})
    else:
        console.print(f"{file}: {net.n} inputs, {net.size} neurons, depth {net.depth}")
        for out in outputs:
            k = out["hidden_layers"]
            console.print(
                f"output {out['output']}: {k} hidden layer(s); f = h_P - h_N checked at {SUPPORT_CHECKS} random points"
                + ("" if out["support_mismatches"] == 0 else f" [red]({out['support_mismatches']} mismatches)[/red]")
            )
            for name in ("P", "N"):
                r = out[name]
                odd = ", ".join(f"{c}/{f}" for c, f in zip(r["odd"], r["f_vector"]))
                console.print(
                    f"  {name}: dim {r['dim']}, {r['vertices']} vertices, f-vector {tuple(r['f_vector'])}, "
                    f"Vol {r['volume']}; odd-volume faces by dim 0..{r['dim']}: {odd}"
                )
            verdict = "[green]holds[/green]" if out["invariant_holds"] else "[red]FAILS[/red]"
            console.print(f"  invariant (faces of dim >= {out['threshold']} have even volume): {verdict}")
    if not ok:
        raise typer.Exit(1)


# an architecture such as -1,2,1 is an argument (and rejected as one), not an unknown option
@app.command(context_settings={"ignore_unknown_options": True})
def fundim(
    arch: Annotated[str, typer.Argument(help="Layer widths n0,n1,...,nL, e.g. 2,3,1 (the output layer is affine).")],
    samples: Annotated[
        int | None,
        typer.Option(help="Sample points per parameter draw (default 10 * #params, at least 20).", parser=int_value),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random parameters and points.", parser=int_value)] = 0,
    tries: Annotated[
        int,
        typer.Option(
            help="Random parameter draws; stops at the first that reaches #params - #hidden.",
            parser=int_value,
        ),
    ] = 20,
    json_: JsonOpt = False,
) -> None:
    """Exact Jacobian rank of parameters -> outputs at sample points, against #params - #hidden."""
    from circuits.fundim import CLI_MAX_WORK, MAX_SAMPLES, MAX_TRIES, functional_dimension, parse_architecture

    architecture = parse_architecture(arch)
    if samples is not None and not 1 <= samples <= MAX_SAMPLES:
        raise SpecError(f"--samples must be in 1..{MAX_SAMPLES}, got {samples}")
    if not 1 <= tries <= MAX_TRIES:
        raise SpecError(f"--tries must be in 1..{MAX_TRIES}, got {tries}")
    res = functional_dimension(architecture, samples=samples, seed=seed, tries=tries, max_work=CLI_MAX_WORK)
    if json_:
        emit_json(res.to_dict())
        return
    console.print(
        f"architecture {res.arch}: {res.params} parameters, {res.hidden} hidden neurons, bound #params - #hidden = {res.bound}"
    )
    console.print(
        f"exact Jacobian rank: {res.rank} (best of {len(res.ranks)} parameter draw(s): {list(res.ranks)}; up to {res.samples} points each)"
    )
    if res.stopped:
        console.print(f"stopped at the work limit after {len(res.ranks)} parameter draw(s)")
    if res.attains_bound:
        console.print(
            "[green]reaches the bound[/green]: functional dimension = #params - #hidden on an open set of parameters"
        )
    else:
        console.print(
            f"[yellow]below the bound by {res.bound - res.rank}[/yellow] at every parameter draw tried (a lower bound only)"
        )
