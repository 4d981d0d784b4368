"""Fusion module speed: training time per epoch and inference throughput.

Synthetic token inputs (no graph needed) for n rows and m configurations, for the
GraMixC transformer's fusion model (configurations only, head 64) and the
end-to-end regressor (20 features + configurations, head 256-128-64), batch 128.

Usage::

    python benchmarks/bench_fusion.py                      # CPU, n = 1e4 and 1e5, m = 10, 20
    python benchmarks/bench_fusion.py --device cuda        # on a CUDA machine
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    import torch

    from gramixc.fusion import ConfigAttention, FusionNet, predict, seeded, train

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--m", type=int, nargs="+", default=[10, 20])
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    print(f"torch {torch.__version__}, device {args.device}, threads {torch.get_num_threads()}")
    print()
    print("| model | n | configurations | tokens | s / epoch | inference rows / s |")
    print("|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for n in args.n:
        for m in args.m:
            T = rng.normal(size=(n, m, 3)).astype(np.float32)
            x = rng.normal(size=(n, 20)).astype(np.float32)
            y = rng.normal(size=n).astype(np.float32)
            for name, n_feat, hidden in (("GraMixC fusion", 0, (64,)),
                                         ("end-to-end MLP", 20, (256, 128, 64))):
                with seeded(0):
                    net = FusionNet(n_feat, ConfigAttention(m, "target", n_stats=3), 1,
                                    hidden=hidden)
                t0 = time.perf_counter()
                train(net, x if n_feat else None, [T], y, "regression", seed=0,
                      val_rows=None, max_epochs=args.epochs, aux_weight=0.5,
                      device=args.device)
                per_epoch = (time.perf_counter() - t0) / args.epochs
                t0 = time.perf_counter()
                predict(net, x if n_feat else None, [T], device=args.device)
                rate = n / (time.perf_counter() - t0)
                print(f"| {name} | {n:,} | {m} | target | {per_epoch:.2f} | {rate:,.0f} |",
                      flush=True)


if __name__ == "__main__":
    main()
