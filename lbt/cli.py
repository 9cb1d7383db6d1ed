"""The ``lbt`` command line.

Every command takes ``--json`` for machine-readable output.  Bad input (a
malformed spec, a corrupt file, an impossible option) prints one line
``lbt: error: ...`` on stderr and exits with code 2.  A failed soundness check
of lbt's own output (:class:`circuits.errors.SoundnessError`: a witness that
does not compute its target, a proof the checker rejects) is never reported as
bad input: it prints ``lbt: soundness check failed: ...`` and exits with code 4.
The application object keeps this contract itself (:class:`lbt.app.LbtGroup`),
so ``typer.testing.CliRunner().invoke(app, args)`` sees what a user sees.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

# command modules: importing one registers its commands on ``app``
import lbt.geometry
import lbt.reduce
import lbt.synth
import lbt.table  # noqa: F401
from circuits.errors import SpecError
from circuits.output import check_output, write_text_atomic
from lbt.app import JsonOpt, app, console, emit_json, path_value

if TYPE_CHECKING:
    from circuits.truthtable import TruthTable

# The model, target and solver modules (numpy, networkx, pysat) are imported by the commands that use
# them, so that `lbt --help` and a command's own start-up do not pay for all of them.

#: Largest input count for which `lbt info` runs the single-gate LP test.
MAX_INFO_THRESHOLD_INPUTS = 12


def _threshold_info(f: TruthTable) -> list[dict[str, Any]]:
    from circuits.linsep import Separator, threshold_function

    out: list[dict[str, Any]] = []
    for k in range(f.m):
        if f.n > MAX_INFO_THRESHOLD_INPUTS:
            out.append({"is_threshold": None, "reason": f"not computed for n > {MAX_INFO_THRESHOLD_INPUTS}"})
            continue
        result = threshold_function(f.output(k))
        if isinstance(result, Separator):
            out.append({"is_threshold": True, "weights": list(result.weights), "threshold": result.threshold})
        else:
            out.append(
                {
                    "is_threshold": False,
                    "certificate": {
                        "positive": [[list(p), a] for p, a in result.positive],
                        "negative": [[list(q), b] for q, b in result.negative],
                    },
                }
            )
    return out


def _npn_info(f: TruthTable) -> list[dict[str, Any] | None]:
    from circuits.npn import MAX_NPN_INPUTS, npn_canonical
    from circuits.truthtable import TruthTable

    out: list[dict[str, Any] | None] = []
    for k in range(f.m):
        if f.n > MAX_NPN_INPUTS:
            out.append(None)
            continue
        table, tr = npn_canonical(f.output(k))
        out.append(
            {
                "canonical": TruthTable.single(f.n, table).hex(),
                "perm": list(tr.perm),
                "input_neg": tr.input_neg,
                "output_neg": tr.output_neg,
            }
        )
    return out


@app.command()
def info(
    spec: Annotated[str, typer.Argument(help="Target spec, e.g. maj:5, ip:2, tt:3:e8.")], json_: JsonOpt = False
) -> None:
    """Describe a target: inputs, truth table, NPN class, single-threshold-gate test."""
    from circuits.npn import MAX_NPN_INPUTS
    from circuits.targets import target

    t = target(spec)
    f = t.table
    hexes = f.hex().split(",")
    npns = _npn_info(f)
    thresholds = _threshold_info(f)
    data = {
        "target": t.spec,
        "description": t.description,
        "n": f.n,
        "m": f.m,
        "inputs": list(t.inputs),
        "outputs": list(t.outputs),
        "hex": hexes,
        "support": list(f.support()),
        "npn": npns,
        "threshold": thresholds,
    }
    if json_:
        emit_json(data)
        return
    console.print(t.description)
    console.print(f"inputs  ({f.n}): {' '.join(t.inputs)}")
    console.print(f"outputs ({f.m}): {' '.join(t.outputs)}")
    console.print(f"support: {' '.join(t.inputs[j] for j in f.support()) or '(constant)'}")
    for k in range(f.m):
        console.print(f"[bold]{t.outputs[k]}[/bold] table 0x{hexes[k]}")
        npn = npns[k]
        console.print(
            f"  NPN class: 0x{npn['canonical']}" if npn else f"  NPN class: not computed for n > {MAX_NPN_INPUTS}"
        )
        thr = thresholds[k]
        if thr["is_threshold"] is None:
            console.print(f"  threshold function: {thr['reason']}")
        elif thr["is_threshold"]:
            console.print(f"  threshold function: yes, weights {tuple(thr['weights'])}, threshold {thr['threshold']}")
        else:
            cert = thr["certificate"]
            console.print(
                "  threshold function: no; positive rows "
                + " + ".join(f"{a}·{tuple(p)}" for p, a in cert["positive"])
                + " = negative rows "
                + " + ".join(f"{b}·{tuple(q)}" for q, b in cert["negative"])
            )


@app.command("families")
def list_families(json_: JsonOpt = False) -> None:
    """List the families of the target library."""
    from circuits.targets import families

    fams = families()
    if json_:
        emit_json([{"name": fam.name, "usage": fam.usage, "params": list(fam.params), "doc": fam.doc} for fam in fams])
        return
    table = Table("spec", "description")
    for fam in fams:
        table.add_row(fam.usage, fam.summary)
    console.print(table)


@app.command("eval")
def eval_(
    file: Annotated[Path, typer.Argument(help="Circuit file (.json, .bench, .aag).", parser=path_value)],
    spec: Annotated[str | None, typer.Argument(help="Target spec to check the circuit against.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Evaluate a circuit file exactly on all inputs; compare with a target (exit 1 if it differs)."""
    from circuits.fileformat import load
    from circuits.targets import Target, target

    model = load(file)
    t: Target | None = target(spec) if spec is not None else None
    if t is not None and (t.table.n, t.table.m) != (model.n, model.num_outputs):
        raise SpecError(
            f"arity mismatch: circuit has {model.n} inputs and {model.num_outputs} outputs, "
            f"{t.spec} has {t.table.n} and {t.table.m}"
        )
    computed = model.truth_table()
    data: dict[str, Any] = {
        "file": str(file),
        "model": model.MODEL,
        "n": model.n,
        "outputs": model.num_outputs,
        "size": model.size,
        "depth": model.depth,
        "hex": computed.hex().split(","),
    }
    ok = True
    if t is not None:
        ok = computed == t.table
        data["target"] = t.spec
        data["computes"] = ok
        if not ok:
            row = next(i for i in range(1 << model.n) if computed.evaluate(i) != t.table.evaluate(i))
            data["first_difference"] = {
                "row": row,
                "circuit": list(computed.evaluate(row)),
                "target": list(t.table.evaluate(row)),
            }
    if json_:
        emit_json(data)
    else:
        console.print(
            f"{file}: {model.MODEL} model, {model.n} inputs, {model.num_outputs} outputs, size {model.size}, depth {model.depth}"
        )
        console.print(f"table 0x{computed.hex()}")
        if t is not None:
            if ok:
                console.print(f"[green]computes {t.spec}[/green] on all {1 << model.n} inputs")
            else:
                d = data["first_difference"]
                console.print(
                    f"[red]differs from {t.spec}[/red]: row {d['row']} gives {d['circuit']}, target {d['target']}"
                )
    if not ok:
        raise typer.Exit(1)


@app.command()
def draw(
    file: Annotated[Path, typer.Argument(help="Circuit file (.json, .bench, .aag).", parser=path_value)],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Output .dot, .png or .svg (default: FILE with .dot).", parser=path_value),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Draw a circuit with Graphviz (.dot always; .png/.svg need the dot program)."""
    from circuits.dot import render, to_dot
    from circuits.fileformat import load

    model = load(file)
    out = check_output(output if output is not None else file.with_suffix(".dot"))
    fmt = out.suffix.lower().lstrip(".")
    text = to_dot(model, name=file.stem)
    if fmt == "dot":
        write_text_atomic(out, text)
    else:
        render(text, out, fmt)
    if json_:
        emit_json({"file": str(file), "output": str(out), "format": fmt})
    else:
        console.print(f"wrote {out}")


def main() -> None:
    """Console entry point ``lbt``: runs :data:`lbt.app.app` on ``sys.argv`` and exits with its exit code
    (its top-level group, :class:`lbt.app.LbtGroup`, turns errors into one line on stderr and an exit code)."""
    app()
