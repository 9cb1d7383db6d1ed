#!/usr/bin/env python3
"""How many neurons does a one-hidden-layer ReLU network need to approximate x_1 * ... * x_d?

Shapira (arXiv 2303.03544) proves an exponential lower bound on a general compact domain
and says it does not hold on the unit cube.  This script probes that numerically:

* for each domain ([0,1]^d, [-1,1]^d, [0,2]^d) and each d it fixes a nested pool of
  random first-layer neurons relu(w.x + b) (w Gaussian, the hyperplane through a random
  point of the domain), solves a linear program (scipy HiGHS) for the output weights and
  bias minimising the maximum absolute error on a grid, and finds by bisection the
  fewest neurons of the pool whose error is <= eps.  The pools are nested, so the error
  is non-increasing in the count and the bisection is exact **for that pool**;
* this is fitting, so every count is an **upper bound** on the true minimum (another
  choice of first layer may need fewer), measured on the grid only; the error on fresh
  random points of the domain is reported beside it and can be larger;
* at d = 1 one neuron is exact on every domain [a, b]: x = relu(x - a) + a, so the counts
  the pool gives there (above 1 on [-1,1] and [0,2]) show how loose these upper bounds are;
* on {0,1}^d the product is AND_d = relu(x_1 + ... + x_d - d + 1), one neuron; this is
  checked exactly on all 2^d points.

Absolute accuracy: on [0,2]^d the product reaches 2^d, so a fixed eps is a relative
accuracy eps / 2^d there (scaling x -> x/2 maps the two problems onto each other).

Usage: scripts/monomials.py [--dims 1,2,3,4] [--eps 0.1] [--pool 300] [--grid-points 700]
                            [--seed 0] [--plot neurons.png] [--json]
The plot needs matplotlib; without it the script prints a note and skips the plot.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time

import numpy as np
from scipy.optimize import linprog

DOMAINS = {"[0,1]^d": (0.0, 1.0), "[-1,1]^d": (-1.0, 1.0), "[0,2]^d": (0.0, 2.0)}


def grid(d: int, lo: float, hi: float, target: int) -> np.ndarray:
    g = max(3, round(target ** (1.0 / d)))
    axis = np.linspace(lo, hi, g)
    return np.array(list(itertools.product(axis, repeat=d)))


def pool(d: int, lo: float, hi: float, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    w = rng.standard_normal((size, d))
    p = rng.uniform(lo, hi, (size, d))
    b = -np.einsum("ij,ij->i", w, p)
    return w, b


def fit_error(features: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """min over (a, c) of max_i |features_i . a + c - y_i|, by LP (HiGHS)."""
    npts, m = features.shape
    # variables: a (m), c, t; minimise t
    ones = np.ones((npts, 1))
    top = np.hstack([features, ones, -ones])
    bot = np.hstack([-features, -ones, -ones])
    A_ub = np.vstack([top, bot])
    b_ub = np.concatenate([y, -y])
    cost = np.zeros(m + 2)
    cost[-1] = 1.0
    bounds = [(None, None)] * (m + 1) + [(0, None)]
    res = linprog(cost, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(f"LP failed: {res.message}")
    return float(res.x[-1]), res.x[:-1]


def fewest_neurons(
    d: int, lo: float, hi: float, eps: float, pool_size: int, grid_points: int, rng: np.random.Generator
) -> dict:
    X = grid(d, lo, hi, grid_points)
    y = X.prod(axis=1)
    w, b = pool(d, lo, hi, pool_size, rng)
    H = np.maximum(X @ w.T + b, 0.0)
    cache: dict[int, tuple[float, np.ndarray]] = {}

    def err(m: int) -> float:
        if m not in cache:
            cache[m] = fit_error(H[:, :m], y)
        return cache[m][0]

    out = {"d": d, "grid": len(X), "sup_f": float(np.abs(y).max())}
    if err(pool_size) > eps:
        out.update(neurons=None, grid_error=err(pool_size))
        return out
    lo_m, hi_m = 0, pool_size  # err(hi_m) <= eps; the answer is in (lo_m, hi_m]
    if err(1) <= eps:
        hi_m = 1
    else:
        lo_m = 1
        while hi_m - lo_m > 1:
            mid = (lo_m + hi_m) // 2
            if err(mid) <= eps:
                hi_m = mid
            else:
                lo_m = mid
    m = hi_m
    e, coef = cache[m]
    test = rng.uniform(lo, hi, (20000, d))
    pred = np.maximum(test @ w[:m].T + b[:m], 0.0) @ coef[:m] + coef[m]
    out.update(neurons=m, grid_error=e, random_point_error=float(np.abs(pred - test.prod(axis=1)).max()))
    return out


def boolean_and_check(max_d: int) -> list[dict]:
    """Exact: prod(x) == relu(sum(x) - d + 1) on every x in {0,1}^d (integers)."""
    out = []
    for d in range(1, max_d + 1):
        ok = all(int(all(x)) == max(0, sum(x) - d + 1) for x in itertools.product((0, 1), repeat=d))
        out.append({"d": d, "points": 2**d, "one_neuron_exact": ok})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dims", default="1,2,3,4", help="comma-separated d values (default 1,2,3,4)")
    ap.add_argument("--eps", type=float, default=0.1, help="absolute sup-error target on the grid (default 0.1)")
    ap.add_argument("--pool", type=int, default=300, help="random first-layer neurons available (default 300)")
    ap.add_argument("--grid-points", type=int, default=700, help="approximate grid size per (d, domain) (default 700)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--and-max-d", type=int, default=12, help="largest d for the exact {0,1}^d check (default 12)")
    ap.add_argument("--plot", help="write a plot of neurons against d to this file (needs matplotlib)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    dims = [int(t) for t in args.dims.split(",")]
    t0 = time.time()
    rows = []
    for k, (name, (lo, hi)) in enumerate(DOMAINS.items()):
        for d in dims:
            rng = np.random.default_rng([args.seed, d, k])
            r = fewest_neurons(d, lo, hi, args.eps, args.pool, args.grid_points, rng)
            r["domain"] = name
            rows.append(r)
            if not args.json:
                head = f"{name:>9} d={d}: "
                if r["neurons"] is not None:
                    print(
                        head
                        + f"{r['neurons']} neurons reach eps={args.eps} on a {r['grid']}-point grid (sup |f| = {r['sup_f']:g}), "
                        f"error on 20000 random points {r['random_point_error']:.3f}",
                        flush=True,
                    )
                else:
                    print(
                        head
                        + f"all {args.pool} pool neurons give grid error {r['grid_error']:.3f} > eps={args.eps} (sup |f| = {r['sup_f']:g})",
                        flush=True,
                    )
    exact = boolean_and_check(args.and_max_d)
    result = {
        "eps": args.eps,
        "pool": args.pool,
        "fits": rows,
        "boolean_cube": exact,
        "seconds": round(time.time() - t0, 1),
    }
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        ok = all(e["one_neuron_exact"] for e in exact)
        print(f"on {{0,1}}^d, x1*...*xd == relu(x1+...+xd - d + 1) exactly for d = 1..{args.and_max_d}: {ok}")
        print("(counts are upper bounds from fitting random first layers, not minima: at d = 1 one neuron,")
        print(" relu(x - a) + a on [a, b], is exact on every domain)")
        print(f"({result['seconds']} s)")
    if args.plot:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print(f"note: matplotlib is not installed; no plot written to {args.plot}", file=sys.stderr)
            return
        fig, ax = plt.subplots(figsize=(6, 4))
        for name in DOMAINS:
            pts = [(r["d"], r["neurons"]) for r in rows if r["domain"] == name and r["neurons"] is not None]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=name)
        ax.set_xlabel("d")
        ax.set_ylabel(f"neurons for sup error <= {args.eps} (upper bound)")
        ax.set_yscale("log")
        ax.set_title("one hidden layer, x1*...*xd")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot)
        print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
