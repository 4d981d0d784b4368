"""Configurations vs a ViT's register tokens, on Fashion-MNIST (one command).

The paper argues that configurations "behave like" the register tokens of Vision
Transformers but "exhibit lower redundancy and eliminate the need for ad hoc
selection". This script puts both in one fusion model and measures:

1. **The ViT.** :class:`gramixc.vision.SmallViT` ([CLS] + ``--registers`` register
   tokens) is trained on ``--n-train`` images of the official training split; its
   [CLS], register and patch embeddings are read for those and for ``--n-test``
   images of the official test split (:func:`gramixc.vision.vit_tokens`).
2. **One fusion over both.** ``GraMixCClassifier(n_configurations=M)`` is fitted on
   the training images' [CLS] embeddings (configurations of the [CLS] space) with
   the registers as external tokens (``tokens=``); on the test images:

   * *attention maps* — the [CLS] → token attention over the configuration,
     neighbourhood and register tokens, for the same images (figure);
   * *importance* — each token's mean attention mass over the test images, and for
     the register tokens the drop in test accuracy when one register is replaced by
     its training mean (ablation through ``tokens=``);
   * *redundancy* — for every pair of tokens of a group (configuration pairs,
     register pairs): the cosine similarity of their embeddings in the fusion
     (``token_embeddings``: one space for both kinds, before attention), averaged
     over the test images; the same for the ViT's own register vectors; and the
     correlation over the test images of two tokens' attention weights (attention
     profiles).
3. **The benchmark** (the tabular suite's protocol: 5 stratified outer folds over the
   test images, GraMixC's columns cross-fitted on each fold's training rows): XGBoost
   and the built-in MLP on the ViT's [CLS] alone, + configurations (XGBoost: GraMixC's
   cluster target means; MLP: the fusion over configurations), + registers (their
   embeddings as features; MLP: as external tokens), + both; accuracy and seconds.

Usage::

    python benchmarks/bench_registers.py             # ~7 min on 2 cores
    python benchmarks/bench_registers.py --quick     # ~2 min, small

Writes ``docs/registers.md`` (definitions, numbers, figures, and the hand-written
reading kept in ``docs/registers_findings.md``; ``--report-only`` rewrites the report
from the last results after editing it), the figures
``docs/img/registers_*.png`` and ``benchmarks/results/bench_registers.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
from _results import save_figure, write_results

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _pair_values(S: np.ndarray, idx: list[int]) -> np.ndarray:
    """Off-diagonal entries ``S[i, j]``, ``i < j``, of the tokens ``idx``."""
    idx = np.asarray(idx)
    sub = S[np.ix_(idx, idx)]
    return sub[np.triu_indices(len(idx), 1)]


def mean_cosine(E: np.ndarray) -> np.ndarray:
    """``(t, t)``: mean over rows of the cosine similarity of tokens ``i`` and ``j``
    (``E``: ``(n, t, D)`` per-row token vectors)."""
    U = E / np.maximum(np.linalg.norm(E, axis=2, keepdims=True), 1e-12)
    return np.einsum("nid,njd->ij", U, U) / len(E)


def load(n_train: int, n_test: int, seed: int):
    from gramixc.datasets import load_dataset

    tr = load_dataset("fashion_mnist", features="pixels", subset="train", n_samples=n_train,
                      random_state=seed)
    te = load_dataset("fashion_mnist", features="pixels", subset="test", n_samples=n_test,
                      random_state=seed)
    return tr.X, tr.y, te.X, te.y, list(tr.target_names)


def token_ablation_drops(clf, tok_tr, tok_te, yte, acc: float) -> list[float]:
    """Per token (every kind, the order of ``token_names_``): test accuracy minus the
    accuracy when that token's embedding, as the attention reads it, is replaced for
    every test image by its mean over the training images."""
    import torch

    cls = type(clf.model_.attention)
    means = clf.token_embeddings(tok_tr.cls_token, tokens=tok_tr.registers).mean(axis=0)
    original = cls.tokens
    drops = []
    try:  # on the class: predict() runs a float64 deep copy of the model
        for t in range(means.shape[0]):
            def ablated(self, inputs, t=t):
                tok = original(self, inputs).clone()
                tok[:, t] = torch.as_tensor(means[t], dtype=tok.dtype, device=tok.device)
                return tok

            cls.tokens = ablated
            pred = clf.predict(tok_te.cls_token, tokens=tok_te.registers)
            drops.append(acc - float((pred == yte).mean()))
    finally:
        cls.tokens = original
    return drops


def fusion_analysis(tok_tr, ytr, tok_te, yte, args, log) -> dict:
    """Fit the fusion over configurations + registers; attention, importance, redundancy."""
    from gramixc import Fusion, GraMixCClassifier

    t0 = time.perf_counter()
    clf = GraMixCClassifier(n_configurations=args.configurations, random_state=args.seed,
                            fusion=Fusion(max_epochs=args.fusion_epochs))
    clf.fit(tok_tr.cls_token, ytr, tokens=tok_tr.registers)
    seconds = time.perf_counter() - t0
    names = list(clf.token_names_)
    kinds = np.array(["register" if n.startswith("ext") else
                      "neighbourhood" if n.startswith("knn") else "configuration"
                      for n in names])
    acc = float((clf.predict(tok_te.cls_token, tokens=tok_te.registers) == yte).mean())
    A = clf.attention_map(tok_te.cls_token, tokens=tok_te.registers)
    mass = A.mean(axis=0)
    ablation = []
    for r in range(tok_tr.registers.shape[1]):
        E = tok_te.registers.copy()
        E[:, r] = tok_tr.registers[:, r].mean(axis=0)
        ablation.append(acc - float((clf.predict(tok_te.cls_token, tokens=E) == yte).mean()))
    token_ablation = token_ablation_drops(clf, tok_tr, tok_te, yte, acc)
    emb = clf.token_embeddings(tok_te.cls_token, tokens=tok_te.registers)
    S_fusion = mean_cosine(emb)
    S_vit = mean_cosine(tok_te.registers)
    S_profile = np.corrcoef(A.T)
    cfg = [i for i, k in enumerate(kinds) if k == "configuration"]
    reg = [i for i, k in enumerate(kinds) if k == "register"]
    red = {
        "fusion_cosine": {"configuration": _pair_values(S_fusion, cfg).tolist(),
                          "register": _pair_values(S_fusion, reg).tolist()},
        "attention_profile_corr": {"configuration": _pair_values(S_profile, cfg).tolist(),
                                   "register": _pair_values(S_profile, reg).tolist()},
        "vit_register_cosine": _pair_values(S_vit, list(range(S_vit.shape[0]))).tolist(),
    }
    log(f"fusion over {len(cfg)} configurations + {len(reg)} registers: test accuracy "
        f"{acc:.4f} ({seconds:.1f} s); attention mass configurations "
        f"{mass[kinds == 'configuration'].sum():.3f}, "
        f"registers {mass[kinds == 'register'].sum():.3f}")
    order = np.argsort(yte, kind="stable")
    return {"names": names, "kinds": kinds.tolist(), "accuracy": acc, "seconds": seconds,
            "mass": mass.tolist(), "register_ablation": ablation,
            "token_ablation": token_ablation, "redundancy": red,
            "A_rows": A[order[:: max(1, len(order) // 80)]].tolist(),
            "y_rows": yte[order[:: max(1, len(order) // 80)]].tolist()}


def benchmark(tok, y, args, log) -> list[dict]:
    """Outer folds over the test images: XGBoost and the MLP, four feature sets."""
    from sklearn.model_selection import StratifiedKFold
    from suite import make_predictor

    from gramixc import Fusion, GraMixC, GraMixCClassifier

    rows = []
    regs = tok.registers.reshape(len(y), -1)
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    for fold, (tr, te) in enumerate(folds.split(tok.cls_token, y)):
        seed = args.seed * 100 + fold
        cls_tr, cls_te = tok.cls_token[tr], tok.cls_token[te]
        t0 = time.perf_counter()
        g = GraMixC(features="clusters", random_state=seed)
        d = cls_tr.shape[1]  # the cluster-mean columns only
        C_tr, C_te = g.fit_transform(cls_tr, y[tr])[:, d:], g.transform(cls_te)[:, d:]
        t_cfg = time.perf_counter() - t0
        sets = {"[CLS] alone": (cls_tr, cls_te, 0.0),
                "+ configurations": (np.hstack([cls_tr, C_tr]), np.hstack([cls_te, C_te]), t_cfg),
                "+ registers": (np.hstack([cls_tr, regs[tr]]), np.hstack([cls_te, regs[te]]), 0.0),
                "+ both": (np.hstack([cls_tr, regs[tr], C_tr]),
                           np.hstack([cls_te, regs[te], C_te]), t_cfg)}
        for name, (Ztr, Zte, t_extra) in sets.items():
            t0 = time.perf_counter()
            m = make_predictor("xgboost", "classification", seed).fit(Ztr, y[tr])
            acc = float((m.predict(Zte) == y[te]).mean())
            rows.append({"fold": fold, "predictor": "xgboost", "features": name, "accuracy": acc,
                         "seconds": time.perf_counter() - t0 + t_extra})
        fusion = Fusion(max_epochs=args.fusion_epochs)
        plain = dict(fusion=None)
        mixed = dict(fusion=fusion, n_configurations=args.configurations)
        mlps = {"[CLS] alone": (plain, cls_tr, cls_te, None, None),
                "+ configurations": (mixed, cls_tr, cls_te, None, None),
                "+ registers": (plain, np.hstack([cls_tr, regs[tr]]),
                                np.hstack([cls_te, regs[te]]), None, None),
                "+ both": (mixed, cls_tr, cls_te, tok.registers[tr], tok.registers[te])}
        for name, (kw, Xtr, Xte, Etr, Ete) in mlps.items():
            t0 = time.perf_counter()
            m = GraMixCClassifier(random_state=seed, **kw).fit(Xtr, y[tr], tokens=Etr)
            acc = float((m.predict(Xte, tokens=Ete) == y[te]).mean())
            rows.append({"fold": fold, "predictor": "mlp", "features": name, "accuracy": acc,
                         "seconds": time.perf_counter() - t0})
        log(f"  fold {fold}: " + ", ".join(f"{r['predictor']} {r['features']} {r['accuracy']:.3f}"
                                            for r in rows if r["fold"] == fold))
    return rows


def figures(res: dict, img_dir: str) -> dict:
    from matplotlib.figure import Figure

    fa = res["fusion"]
    names, kinds = fa["names"], np.array(fa["kinds"])
    paths = {}
    fig = Figure(figsize=(9, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(np.asarray(fa["A_rows"]), aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    ax.set_ylabel("test images (sorted by class)")
    for b in np.flatnonzero(kinds[1:] != kinds[:-1]):
        ax.axvline(b + 0.5, color="white", lw=1.5)
    ax.set_title("[CLS] attention over configuration, neighbourhood and register tokens")
    fig.colorbar(im, ax=ax, fraction=0.03)
    fig.tight_layout()
    paths["attention"] = save_figure(fig, os.path.join(img_dir, "registers_attention.png"))

    fig = Figure(figsize=(9, 3.6))
    ax = fig.add_subplot(1, 2, 1)
    colors = {"configuration": "tab:blue", "neighbourhood": "tab:gray", "register": "tab:red"}
    ax.bar(range(len(names)), fa["mass"], color=[colors[k] for k in kinds])
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    ax.set_ylabel("mean attention mass")
    ax.set_title("importance: attention")
    ax = fig.add_subplot(1, 2, 2)
    ax.bar(range(len(names)), fa["token_ablation"], color=[colors[k] for k in kinds])
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    ax.set_ylabel("test accuracy drop")
    ax.set_title("importance: one token replaced by its training mean")
    fig.tight_layout()
    paths["importance"] = save_figure(fig, os.path.join(img_dir, "registers_importance.png"))

    red = fa["redundancy"]
    fig = Figure(figsize=(9, 3.4))
    panels = [("fusion_cosine", "cosine of fusion token embeddings"),
              ("attention_profile_corr", "correlation of attention profiles")]
    for i, (key, title) in enumerate(panels):
        ax = fig.add_subplot(1, 3, i + 1)
        data = [red[key]["configuration"], red[key]["register"]]
        ax.boxplot([d if len(d) else [np.nan] for d in data])
        ax.set_xticks([1, 2], ["configuration\npairs", "register\npairs"])
        ax.set_title(title, fontsize=9)
    ax = fig.add_subplot(1, 3, 3)
    ax.boxplot([red["vit_register_cosine"] or [np.nan]])
    ax.set_xticks([1], ["register pairs"])
    ax.set_title("cosine of the ViT's register vectors", fontsize=9)
    fig.tight_layout()
    paths["redundancy"] = save_figure(fig, os.path.join(img_dir, "registers_redundancy.png"))
    return paths


#: The hand-written reading of the numbers, kept next to the report and included in it.
FINDINGS = "registers_findings.md"


def report(res: dict, command: str, findings: str | None = None) -> str:
    fa = res["fusion"]
    kinds = np.array(fa["kinds"])
    mass = np.asarray(fa["mass"])
    ablation = np.asarray(fa["token_ablation"])
    red = fa["redundancy"]

    def med(v):
        return f"{np.median(v):+.3f}" if len(v) else "—"

    lines = [
        "# Configurations vs register tokens (Fashion-MNIST)",
        "",
        f"Made by `{command}` ({res['elapsed_s'] / 60:.1f} min on this machine). "
        f"SmallViT: {res['vit']['n_registers']} registers, dim {res['vit']['dim']}, depth "
        f"{res['vit']['depth']}, trained {res['vit']['epochs']} epochs on "
        f"{res['vit']['n_train']:,} training images in {res['vit']['seconds']:.0f} s; its own "
        f"test accuracy {res['vit']['accuracy']:.4f} on {res['vit']['n_test']:,} test images.",
        "",
        "## Definitions",
        "",
        "* **Attention map**: the fusion's [CLS] → token attention weights (averaged over "
        "heads) for every test image; with the default `readout=\"select\"` they sum to 1 "
        "over the tokens.",
        "* **Attention mass** of a token: its weight averaged over the test images.",
        "* **Token ablation drop**: test accuracy of the fusion minus its accuracy when one "
        "token's embedding as the attention reads it (configuration, neighbourhood or "
        "register alike) is replaced, for every test image, by its mean over the training "
        "images. **Register input ablation**: the same with one register's ViT vector "
        "(the input of `tokens=`) replaced by its training mean.",
        "* **Fusion cosine** of two tokens: the cosine similarity of their embeddings as the "
        "attention reads them (`token_embeddings`, `d_model`-dimensional, one space for "
        "configurations and registers), averaged over the test images; shown for every pair "
        "of configuration tokens and every pair of register tokens.",
        "* **Attention-profile correlation** of two tokens: the Pearson correlation, over the "
        "test images, of their attention weights.",
        "* **ViT register cosine**: the cosine similarity of two register vectors of the ViT "
        "itself (its last block), averaged over the test images.",
        "",
        "## One fusion over both",
        "",
        f"Test accuracy of `GraMixCClassifier` on the [CLS] embeddings with the registers as "
        f"external tokens: **{fa['accuracy']:.4f}** ({fa['seconds']:.0f} s to fit).",
        "",
        "| | configurations | registers |",
        "|---|---|---|",
        f"| tokens | {(kinds == 'configuration').sum()} | {(kinds == 'register').sum()} |",
        f"| attention mass (sum) | {mass[kinds == 'configuration'].sum():.3f} | "
        f"{mass[kinds == 'register'].sum():.3f} |",
        f"| attention mass per token (max / min) | "
        f"{mass[kinds == 'configuration'].max():.3f} / {mass[kinds == 'configuration'].min():.3f}"
        f" | {mass[kinds == 'register'].max():.3f} / {mass[kinds == 'register'].min():.3f} |",
        f"| fusion cosine, median over pairs | {med(red['fusion_cosine']['configuration'])} | "
        f"{med(red['fusion_cosine']['register'])} |",
        f"| attention-profile correlation, median | "
        f"{med(red['attention_profile_corr']['configuration'])} | "
        f"{med(red['attention_profile_corr']['register'])} |",
        f"| ViT register cosine, median | — | {med(red['vit_register_cosine'])} |",
        "",
        "Token ablation drops (accuracy): " + ", ".join(
            f"{n} {d:+.4f}" for n, d in zip(fa["names"], fa["token_ablation"])) + ".",
        "",
        "| | configurations | registers |",
        "|---|---|---|",
        f"| token ablation drop, max | {ablation[kinds == 'configuration'].max():+.4f} | "
        f"{ablation[kinds == 'register'].max():+.4f} |",
        f"| token ablation drop, sum | {ablation[kinds == 'configuration'].sum():+.4f} | "
        f"{ablation[kinds == 'register'].sum():+.4f} |",
        "",
        "Register input ablation drops: "
        + ", ".join(f"reg{r} {d:+.4f}" for r, d in enumerate(fa["register_ablation"])) + ".",
        "",
        "![attention](img/registers_attention.png)",
        "",
        "![importance](img/registers_importance.png)",
        "",
        "![redundancy](img/registers_redundancy.png)",
        "",
        "## Benchmark (5 outer folds over the test images)",
        "",
        "| predictor | features | accuracy | Δ vs [CLS] alone | seconds per fold |",
        "|---|---|---|---|---|",
    ]
    bench = res["benchmark"]
    for pred in ("xgboost", "mlp"):
        base = np.array([r["accuracy"] for r in bench
                         if r["predictor"] == pred and r["features"] == "[CLS] alone"])
        for name in ("[CLS] alone", "+ configurations", "+ registers", "+ both"):
            rs = [r for r in bench if r["predictor"] == pred and r["features"] == name]
            acc = np.array([r["accuracy"] for r in rs])
            lines.append(f"| {pred} | {name} | {acc.mean():.4f} ± {acc.std():.4f} | "
                         f"{(acc - base).mean():+.4f} | "
                         f"{np.mean([r['seconds'] for r in rs]):.1f} |")
    if findings is not None:
        lines += ["", findings.rstrip()]
    else:
        lines += ["", f"(No hand-written reading yet: put it in `{FINDINGS}` next to this "
                  "report; reruns include it here.)"]
    return "\n".join(lines) + "\n"


def _write_report(res: dict, command: str, out: str, findings_path: str) -> None:
    findings = None
    if os.path.exists(findings_path):
        with open(findings_path) as fh:
            findings = fh.read()
    with open(out, "w") as fh:
        fh.write(report(res, command, findings))
    print(f"wrote {out}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small and short (a smoke run)")
    ap.add_argument("--n-train", type=int, default=20000)
    ap.add_argument("--n-test", type=int, default=5000)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--registers", type=int, default=4)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--configurations", type=int, default=8)
    ap.add_argument("--fusion-epochs", type=int, default=100)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "registers.md"))
    ap.add_argument("--img-dir", default=os.path.join(ROOT, "docs", "img"))
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite the report from the last results (e.g. after editing "
                         f"docs/{FINDINGS})")
    args = ap.parse_args(argv)
    findings_path = os.path.join(os.path.dirname(os.path.abspath(args.out)), FINDINGS)
    if args.report_only:
        import _results

        with open(os.path.join(_results.RESULTS, "bench_registers.json")) as fh:
            res = json.load(fh)
        _write_report(res, res.get("command", "python benchmarks/bench_registers.py"),
                      args.out, findings_path)
        return 0
    if args.quick:
        args.n_train, args.n_test, args.epochs = 1500, 500, 2
        args.fusion_epochs, args.folds = 20, 3
    import torch

    from gramixc.vision import SmallViT, train_vit, vit_tokens

    start = time.perf_counter()
    Xtr, ytr, Xte, yte, _ = load(args.n_train, args.n_test, args.seed)
    t0 = time.perf_counter()
    vit = SmallViT(dim=args.dim, depth=args.depth, n_heads=4, n_registers=args.registers,
                   random_state=args.seed)
    train_vit(vit, Xtr, ytr, epochs=args.epochs, random_state=args.seed, verbose=True)
    t_vit = time.perf_counter() - t0
    tok_tr, tok_te = vit_tokens(vit, Xtr), vit_tokens(vit, Xte)
    with torch.no_grad():
        logits = vit.head(torch.from_numpy(tok_te.cls_token))
    vit_acc = float((logits.argmax(1).numpy() == yte).mean())
    print(f"SmallViT trained in {t_vit:.0f} s; test accuracy {vit_acc:.4f}", flush=True)
    res = {"vit": {"n_registers": args.registers, "dim": args.dim, "depth": args.depth,
                   "epochs": args.epochs, "n_train": args.n_train, "n_test": args.n_test,
                   "seconds": t_vit, "accuracy": vit_acc}}
    res["fusion"] = fusion_analysis(tok_tr, ytr, tok_te, yte, args, print)
    res["benchmark"] = benchmark(tok_te, yte, args, print)
    res["elapsed_s"] = time.perf_counter() - start
    figures(res, args.img_dir)
    given, shown = sys.argv[1:] if argv is None else list(argv), []
    for i, a in enumerate(given):  # where the files go is not part of the experiment
        if not (a.startswith(("--out", "--img-dir"))
                or (i and given[i - 1] in ("--out", "--img-dir"))):
            shown.append(a)
    res["command"] = " ".join(["python benchmarks/bench_registers.py", *shown])
    _write_report(res, res["command"], args.out, findings_path)
    write_results("bench_registers.json", json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
