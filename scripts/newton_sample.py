#!/usr/bin/env python3
"""Search random integer ReLU networks for a counterexample to the Newton-polytope parity invariant.

Haase-Hertrich-Loho (ICLR 2023): after k hidden layers with integer weights, every face
of dimension >= 2^k of both Newton polytopes has even normalized volume.  This script

1. samples bias-free layered networks (n = 2..5 inputs, 1..3 hidden layers, random
   widths and integer weights), checks f = h_P - h_N at random rational points and the
   invariant on every face, and counts faces, odd faces and the largest odd-face
   dimension seen for each k (odd faces of dimension 2^k - 1 show the threshold is sharp);
2. builds the pairwise-tree networks for max(x_1..x_n) and F_n = max(0, x_1..x_n) with
   ceil(log2 m) hidden layers and reports their polytopes: P = N + Newton(target), and
   for n = 2^k, Vol_n(P) is odd, so P is not in the class allowed after k layers;
3. checks the mixed-volume consequence Vol(Q + Delta_n) = Vol(Q) + 1 (mod 2) for the
   polytopes Q found in step 1 when n is a power of two.

Usage: scripts/newton_sample.py [--samples 40] [--seed 0] [--max-n 5] [--max-width 4] [--max-tree 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from circuits.newton import (
    convex_hull,
    max_network,
    minkowski_sum,
    mixed_parity_control,
    newton_polytopes,
    parity_report,
    simplex_in_class,
    standard_simplex,
)
from circuits.relu import Neuron, ReLUNetwork


def random_network(rng: random.Random, n: int, widths: list[int], wmax: int) -> ReLUNetwork:
    neurons, prev, node = [], list(range(n)), n
    for w in widths:
        cur = []
        for _ in range(w):
            neurons.append(Neuron(tuple((u, rng.randint(-wmax, wmax)) for u in prev), 0))
            cur.append(node)
            node += 1
        prev = cur
    neurons.append(Neuron(tuple((u, rng.randint(-wmax, wmax)) for u in prev), 0, "linear"))
    return ReLUNetwork(n, tuple(neurons), (node,))


def sample(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    stats: dict[int, dict] = {}
    counterexamples = []
    controls = {"tested": 0, "odd_difference": 0}
    for _ in range(args.samples):
        n = rng.randint(2, args.max_n)
        depth = rng.randint(1, 3)
        widths = [rng.randint(args.min_width, args.max_width) for _ in range(depth)]
        net = random_network(rng, n, widths, args.wmax)
        (pair,) = newton_polytopes(net)
        for _ in range(5):
            x = [Fraction(rng.randint(-60, 60), rng.randint(1, 7)) for _ in range(n)]
            if pair.value(x) != net.evaluate(x)[0]:
                counterexamples.append({"kind": "support", "network": net.to_dict(), "x": [str(c) for c in x]})
        k = pair.hidden
        s = stats.setdefault(
            k, {"networks": 0, "polytopes": 0, "faces_checked": 0, "odd_faces": 0, "max_odd_dim": -1, "max_dim": 0}
        )
        s["networks"] += 1
        for poly in (pair.P, pair.N):
            rep = parity_report(poly, k)
            s["polytopes"] += 1
            s["faces_checked"] += sum(rep["f_vector"][2**k :])
            s["odd_faces"] += sum(rep["odd"])
            s["max_odd_dim"] = max(s["max_odd_dim"], rep["max_odd_dim"])
            s["max_dim"] = max(s["max_dim"], rep["dim"])
            if not rep["holds"]:
                counterexamples.append({"kind": "parity", "network": net.to_dict(), "report": rep})
            if n & (n - 1) == 0 and poly.dim == n and n <= 4:
                ctl = mixed_parity_control(poly)
                controls["tested"] += 1
                controls["odd_difference"] += ctl["differs_by_odd"]
    return {
        "by_hidden_layers": {str(k): v for k, v in sorted(stats.items())},
        "counterexamples": counterexamples,
        "mixed_volume_control": controls,
    }


def trees(max_tree: int) -> list[dict]:
    out = []
    for n in range(2, max_tree + 1):
        for with_zero in (False, True):
            net = max_network(n, with_zero)
            (pair,) = newton_polytopes(net)
            target = (
                standard_simplex(n)
                if with_zero
                else convex_hull([tuple(int(i == j) for j in range(n)) for i in range(n)])
            )
            p, q = parity_report(pair.P, pair.hidden), parity_report(pair.N, pair.hidden)
            out.append(
                {
                    "function": f"max(0, x1..x{n})" if with_zero else f"max(x1..x{n})",
                    "n": n,
                    "hidden_layers": pair.hidden,
                    "neurons": net.size,
                    "P_equals_N_plus_target": minkowski_sum(pair.N, target) == pair.P,
                    "P": {key: p[key] for key in ("dim", "vertices", "f_vector", "volume", "holds")},
                    "N": {key: q[key] for key in ("dim", "vertices", "f_vector", "volume", "holds")},
                    # F_n with n = 2^k: P = N + Delta_n has odd Vol_n, so P is not in Q_k (k = log2 n)
                    "P_volume_odd": p["volume"] % 2 == 1 and p["dim"] == n,
                    "P_passes_test_for_log2_n_layers": parity_report(pair.P, n.bit_length() - 1)["holds"]
                    if n & (n - 1) == 0
                    else None,
                }
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=40, help="random networks (default 40)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-n", type=int, default=5, help="largest input count (default 5)")
    ap.add_argument("--min-width", type=int, default=2, help="smallest hidden width (default 2)")
    ap.add_argument("--max-width", type=int, default=4, help="largest hidden width (default 4)")
    ap.add_argument("--wmax", type=int, default=2, help="weights are in [-wmax, wmax] (default 2)")
    ap.add_argument(
        "--max-tree", type=int, default=5, help="largest n for the max networks (default 5; 6 takes ~10 s, 7 minutes)"
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    t0 = time.time()
    result = sample(args)
    result["max_networks"] = trees(args.max_tree)
    result["sharpness"] = [
        {"k": k, "dim": s.dim, "volume": s.volume(), "max_odd_dim": parity_report(s, k)["max_odd_dim"]}
        for k in (1, 2, 3)
        for s in [simplex_in_class(k)]
    ]
    result["seconds"] = round(time.time() - t0, 1)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(
        f"{args.samples} random networks (n = 2..{args.max_n}, 1-3 hidden layers, widths {args.min_width}..{args.max_width}, "
        f"weights in [-{args.wmax}, {args.wmax}]):"
    )
    for k, s in result["by_hidden_layers"].items():
        print(
            f"  k = {k}: {s['networks']} networks, {s['polytopes']} polytopes (dim <= {s['max_dim']}), "
            f"{s['faces_checked']} faces of dim >= {2 ** int(k)} checked, all even; largest odd-face dimension {s['max_odd_dim']}"
        )
    print("  (for k = 3 the threshold 8 exceeds n <= 5, so nothing is checked there)")
    print(f"  counterexamples: {len(result['counterexamples'])}")
    c = result["mixed_volume_control"]
    print(
        f"  Vol(Q + Delta_n) - Vol(Q) odd for {c['odd_difference']} of {c['tested']} full-dimensional Q with n = 2 or 4"
    )
    print("sharpness: conv(e_1..e_{2^k}) built in P_k:")
    for s in result["sharpness"]:
        print(f"  k = {s['k']}: dim {s['dim']}, volume {s['volume']} (odd, dimension 2^k - 1)")
    print("pairwise-tree max networks (ceil(log2 m) hidden layers, integer weights, no biases):")
    for r in result["max_networks"]:
        print(
            f"  {r['function']:>16}: {r['hidden_layers']} hidden, {r['neurons']} neurons; P = N + Newton: {r['P_equals_N_plus_target']}; "
            f"P dim {r['P']['dim']} f {tuple(r['P']['f_vector'])} Vol {r['P']['volume']}; "
            f"N dim {r['N']['dim']} Vol {r['N']['volume']}; invariant {r['P']['holds'] and r['N']['holds']}"
        )
        if r["function"].startswith("max(0") and r["P_passes_test_for_log2_n_layers"] is False:
            k = r["n"].bit_length() - 1
            print(
                f"{'':>20}Vol_{r['n']}(P) is odd, so this P is not in Q_{k}: consistent with the theorem of Haase, Hertrich "
                f"and Loho (ICLR 2023) that F_{r['n']} needs {k + 1} integer hidden layers; this run checks this network "
                "and samples the invariant, it does not prove the theorem"
            )
    print(f"({result['seconds']} s)")
    if result["counterexamples"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
