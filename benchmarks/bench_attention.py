"""Does the [CLS] attention select scales? Entropy and held-out R², two readouts.

On :func:`gramixc.synthetic.make_scale_switch` the informative scale changes across
the data set (fine clusters in half of it, super-clusters in the other half), so a
fusion model that mixes scales per sample has a reason to attend unevenly. For the
paper's readout (``readout="mixed"``: the head reads a learned mixture of every
token) and GraMixC's default (``readout="select"``: the prediction is the
[CLS]-attention-weighted average of per-token readouts) this script fits
``GraMixC(features="fusion", fusion=Fusion(...))`` on a 70 % split and reports, on the
held-out rows:

* the relative entropy of the [CLS] attention over the tokens (1 = uniform);
* the same separately for the fine-scale and the coarse-scale region, and the total
  variation distance between the two regions' mean attention profiles (0 = both
  regions attend alike; 1 = to disjoint tokens);
* the held-out R² of Ridge on ``[X | GraMixC columns]``.

Usage::

    python benchmarks/bench_attention.py [--seeds 3]

Writes ``docs/img/attention_scale_switch.png`` (the two attention maps, rows sorted
by region) and ``benchmarks/results/bench_attention.txt``.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from _results import save_figure, write_results

HERE = os.path.dirname(os.path.abspath(__file__))


def fit_one(readout: str, seed: int):
    from sklearn.linear_model import Ridge
    from sklearn.metrics import r2_score
    from sklearn.model_selection import train_test_split
    from suite import relative_entropy

    from gramixc import Fusion, GraMixC
    from gramixc.synthetic import make_scale_switch

    X, y, fine = make_scale_switch(random_state=seed)
    Xtr, Xte, ytr, yte, _, fte = train_test_split(X, y, fine, test_size=0.3,
                                                  random_state=seed)
    g = GraMixC(features="fusion", fusion=Fusion(readout=readout),
                random_state=seed)
    Ztr = g.fit_transform(Xtr, ytr)
    r2 = r2_score(yte, Ridge(alpha=1.0).fit(Ztr, ytr).predict(g.transform(Xte)))
    A = g.attention_map(Xte)
    H = relative_entropy(A)
    p = A / A.sum(axis=1, keepdims=True)
    tv = 0.5 * np.abs(p[fte].mean(axis=0) - p[~fte].mean(axis=0)).sum()
    return {"readout": readout, "seed": seed, "r2": r2, "entropy": H.mean(),
            "entropy_fine": H[fte].mean(), "entropy_coarse": H[~fte].mean(),
            "tv": tv, "A": A, "fine": fte, "names": g.token_names_}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--plot", default=os.path.join(HERE, "..", "docs", "img",
                                                    "attention_scale_switch.png"))
    args = ap.parse_args(argv)
    lines = ["| readout | held-out R² (Ridge) | relative entropy | fine region | coarse region "
             "| TV distance fine vs coarse region |",
             "|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    first = {}
    for readout in ("mixed", "select"):
        runs = [fit_one(readout, s) for s in range(args.seeds)]
        first[readout] = runs[0]

        def ms(key, runs=runs):
            v = np.array([r[key] for r in runs])
            return f"{v.mean():.3f} ± {v.std():.3f}"

        line = (f"| {readout} | {ms('r2')} | {ms('entropy')} | {ms('entropy_fine')} | "
                f"{ms('entropy_coarse')} | {ms('tv')} |")
        print(line, flush=True)
        lines.append(line)
    lines.append(f"\n{args.seeds} seeds of make_scale_switch (1,280 rows, 70/30 split); "
                 "GraMixC(features='fusion', neighbors=()), Fusion defaults otherwise.")
    write_results("bench_attention.txt", "\n".join(lines))
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4.2))
    for i, readout in enumerate(("mixed", "select")):
        r = first[readout]
        order = np.argsort(~r["fine"], kind="stable")
        ax = fig.add_subplot(1, 2, i + 1)
        im = ax.imshow(r["A"][order], aspect="auto", interpolation="nearest", cmap="viridis")
        n_fine = int(r["fine"].sum())
        ax.axhline(n_fine - 0.5, color="w", lw=1)
        ax.set_title(f"readout={readout!r}: entropy {r['entropy']:.2f} of uniform",
                     fontsize=9)
        ax.set_xticks(range(len(r["names"])))
        ax.set_xticklabels(r["names"], rotation=90, fontsize=6)
        ax.set_xlabel("configuration token (coarse → fine)")
        ax.set_ylabel(f"held-out rows (fine-scale region: top {n_fine})")
        fig.colorbar(im, ax=ax)
    fig.tight_layout()
    save_figure(fig, args.plot)


if __name__ == "__main__":
    main()
