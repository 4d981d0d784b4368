"""Id spread of digits' Leiden configurations before and after the RMS chain.

Spread of a level = mean over parents of (max child id − min child id + 1) / number
of children (1.0 = the children of every parent have consecutive ids).

Usage::

    python benchmarks/bench_digits_spread.py
"""

from __future__ import annotations

import numpy as np


def main() -> None:
    from sklearn.datasets import load_digits

    from gramixc import ConfigurationExtractor
    from gramixc.rms import id_spread, id_spread_per_level, rms_chain

    X, _ = load_digits(return_X_y=True)
    raw = ConfigurationExtractor(random_state=0, align="none").fit(X).configurations_
    aligned = rms_chain(raw.ids)
    before, after = id_spread_per_level(raw.ids), id_spread_per_level(aligned)
    pure = id_spread_per_level(rms_chain(raw.ids, sort_children=False))
    K = raw.n_clusters
    print(f"digits: {len(K)} configurations; mean spread raw Leiden {id_spread(raw.ids):.2f} "
          f"-> RMS chain {id_spread(aligned):.2f}")
    print()
    print("| parent K → child K | raw Leiden ids | AMC + RMS only | RMS chain (default) |")
    print("|---|---|---|---|")
    for j in range(len(K) - 1):
        if K[j + 1] > 60:
            break
        print(f"| {K[j]} → {K[j + 1]} | {before[j]:.2f} | {pure[j]:.2f} | {after[j]:.2f} |")
    print(f"| mean over all {len(K) - 1} levels | {np.mean(before):.2f} | {np.mean(pure):.2f} "
          f"| {np.mean(after):.2f} |")


if __name__ == "__main__":
    main()
