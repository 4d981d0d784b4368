"""Figures (matplotlib). They read results; they never compute configurations.

Every function returns a :class:`matplotlib.figure.Figure` (built without
pyplot, so nothing global changes and no display is needed) and, given
``path``, saves it as PNG at 150 dpi.
"""

from __future__ import annotations

import os

import numpy as np

from ._optional import import_optional

import_optional("matplotlib", "gramixc's figures")

__all__ = ["plot_envelope", "plot_lineage", "plot_mosaic", "plot_attention"]


def _figure(figsize):
    """A pyplot-free Figure: works headless and never touches global state."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def _finish(fig, path):
    fig.tight_layout()
    if path is not None:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        fig.savefig(path, dpi=150)
    return fig


def plot_envelope(configurations, path: str | None = None, max_lines: int = 400):
    """Candidate lines, their upper envelope and the plateaus against γ.

    Top: the quality ``Q(γ) = h_a − γ h_r`` (divided by the total edge weight)
    of every partition the sweep found (grey) and of the configurations
    (coloured, bold on their plateau). Bottom: each configuration's plateau
    ``[γ_lo, γ_hi]`` as a bar at height = number of clusters, with the γ values
    that were solved as ticks.

    Parameters
    ----------
    configurations : Configurations
        With its ``sweep`` (as produced by :class:`ConfigurationExtractor`).
    path : str, optional
        PNG file to write.
    max_lines : int, default=400
        Most grey candidate lines drawn (evenly thinned beyond).
    """
    sweep = configurations.sweep
    if sweep is None:
        raise ValueError(
            "plot_envelope needs configurations produced by a sweep "
            "(user-supplied ids carry no γ-intervals)"
        )
    from matplotlib import colormaps

    lo, hi = sweep.gamma_range
    lo = min(
        lo,
        np.nanmin(configurations.gamma_lo[configurations.gamma_lo > 0]) / 2
        if np.any(configurations.gamma_lo > 0)
        else lo,
    )
    gam = np.geomspace(lo / 2, hi * 2, 400)
    norm = max(float(np.max(sweep.h_a)), 1e-300)
    fig = _figure((9, 6.5))
    ax1 = fig.add_subplot(2, 1, 1)
    ax2 = fig.add_subplot(2, 1, 2, sharex=ax1)
    step = max(1, len(sweep.h_a) // max_lines)
    for n_drawn, (a, b) in enumerate(zip(sweep.h_a[::step], sweep.h_r[::step])):
        ax1.plot(gam, (a - gam * b) / norm, color="0.8", lw=0.6, zorder=1,
                 label=(f"partitions found by the sweep ({len(sweep.h_a)}"
                        + (f", every {step}th drawn" if step > 1 else "") + ")")
                 if n_drawn == 0 else None)
    env_q = np.max((sweep.h_a[:, None] - gam[None, :] * sweep.h_r[:, None]), axis=0) / norm
    span = float(env_q.max() - env_q.min())
    ax1.set_ylim(env_q.min() - 0.15 * span, env_q.max() + 0.05 * span)
    cmap = colormaps["viridis"]
    m = len(configurations)
    for j in range(m):
        g0, g1 = configurations.gamma_lo[j], configurations.gamma_hi[j]
        seg = np.geomspace(max(g0, gam[0]), min(g1, gam[-1]), 30)
        col = cmap(j / max(m - 1, 1))
        ax1.plot(
            seg,
            (configurations.h_a[j] - seg * configurations.h_r[j]) / norm,
            color=col,
            lw=2.5,
            zorder=3,
            label="configurations on their plateau (colour: coarse → fine)" if j == 0 else None,
        )
        ax2.hlines(configurations.n_clusters[j], g0, g1, color=col, lw=4,
                   label="plateau [γ_lo, γ_hi] of each configuration" if j == 0 else None)
    ax1.plot(gam, env_q, color="k", lw=1.2, ls=(0, (4, 2)), zorder=4,
             label="upper envelope (the best partition at each γ)")
    ax1.set_xscale("log")
    ax1.set_ylabel("Q(γ) / m")
    ax1.set_title(
        f"{m} configurations on the upper envelope of {len(sweep.h_a)} partitions "
        f"({sweep.objective}, {sweep.backend})"
    )
    ax1.legend(loc="lower left", fontsize=8)
    ax2.set_yscale("log")
    ax2.set_xlabel("resolution γ")
    ax2.set_ylabel("clusters (plateau)")
    ax2.plot(
        sweep.run_gammas,
        np.full(len(sweep.run_gammas), 1.0),
        "|",
        color="0.4",
        ms=8,
        label=f"γ values solved ({len(sweep.run_gammas)} Leiden runs)",
    )
    ax2.legend(loc="upper left", fontsize=8)
    return _finish(fig, path)


def _stack_positions(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertical centre and height (fractions of n) of each cluster stacked by id."""
    sizes = np.bincount(ids).astype(np.float64) / len(ids)
    top = np.cumsum(sizes)
    return top - sizes / 2, sizes


def plot_lineage(
    configurations, path: str | None = None, max_clusters: int = 80, min_flow: float = 0.05
):
    """Configurations as columns, clusters as nodes sized by count, flows between them.

    Clusters are stacked in id order (after RMS alignment, a parent's children
    are adjacent, so flows barely cross). An edge is drawn for every flow that
    carries at least ``min_flow`` of its parent; its width is proportional to
    the number of points.

    Parameters
    ----------
    configurations : Configurations
    path : str, optional
    max_clusters : int, default=80
        Configurations with more clusters are left out of the picture (the title
        then says how many are shown, and of how many).
    min_flow : float, default=0.05
    """
    m = len(configurations)
    sel = np.flatnonzero(configurations.n_clusters <= max_clusters)
    if sel.size == 0:
        raise ValueError(f"no configuration has at most max_clusters={max_clusters} clusters")
    ids = configurations.ids[:, sel]
    n = ids.shape[0]
    fig = _figure((max(6, 0.55 * len(sel) + 2), 6))
    ax = fig.add_subplot(1, 1, 1)
    centres = [_stack_positions(ids[:, j]) for j in range(ids.shape[1])]
    for j in range(ids.shape[1] - 1):
        p, c = ids[:, j], ids[:, j + 1]
        kc = int(c.max()) + 1
        codes, counts = np.unique(p * kc + c, return_counts=True)
        par, chi = np.divmod(codes, kc)
        frac = counts / np.bincount(p)[par]
        keep = frac >= min_flow
        yp, yc = centres[j][0][par[keep]], centres[j + 1][0][chi[keep]]
        for a, b, cnt in zip(yp, yc, counts[keep]):
            ax.plot(
                [j, j + 1],
                [a, b],
                color="tab:blue",
                alpha=0.35,
                lw=0.3 + 12.0 * cnt / n,
                solid_capstyle="butt",
            )
    for j, (yc, hs) in enumerate(centres):
        ax.scatter(
            np.full(len(yc), j),
            yc,
            s=8 + 900 * hs,
            color="tab:orange",
            edgecolor="k",
            linewidth=0.3,
            zorder=3,
        )
    ax.set_xticks(range(len(sel)))
    ax.set_xticklabels(
        [f"{int(i)}\nK={k}" for i, k in zip(sel, configurations.n_clusters[sel])], fontsize=7
    )
    ax.set_ylim(1.02, -0.02)
    ax.set_yticks([])
    ax.set_xlabel("configuration (coarse → fine)")
    title = "Lineage of configurations (node area ∝ cluster size, edge width ∝ points)"
    if sel.size < m:
        title += (f"\nshowing {sel.size} of {m} configurations: those with at most "
                  f"{max_clusters} clusters (max_clusters); {m - sel.size} finer ones left out")
    ax.set_title(title, fontsize=10)
    return _finish(fig, path)


def plot_mosaic(
    C: np.ndarray,
    row_labels=None,
    col_labels=None,
    ax=None,
    title: str = "",
    path: str | None = None,
):
    """Mosaic heatmap of a confusion matrix ``C`` (rows reference, columns prediction).

    Each cell ``(i, j)`` is a rectangle whose width is proportional to
    ``C[i, j] / row total`` and height to ``C[i, j] / column total``, placed on
    a grid of columns of width ∝ column totals and rows of height ∝ row totals;
    colour = count. A well-aligned matrix shows a diagonal of large cells. Rows and
    columns without counts (a label of the shared label set that one side never
    uses) take no space and get no tick label.

    Parameters
    ----------
    C : ndarray of shape (L, L)
    row_labels, col_labels : sequence, optional
    ax : matplotlib Axes, optional
        Draw into it (``path`` is then ignored).
    title : str
    path : str, optional
    """
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle

    C = np.asarray(C, dtype=np.float64)
    if C.ndim != 2:
        raise ValueError(f"C must be a 2-D matrix, got shape {C.shape}")
    own = ax is None
    if own:
        fig = _figure((6, 5.5))
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    tot = C.sum()
    if tot <= 0:
        raise ValueError("C is empty (all zeros)")
    col_tot, row_tot = C.sum(axis=0), C.sum(axis=1)
    x0 = np.concatenate([[0], np.cumsum(col_tot)[:-1]]) / tot
    y0 = np.concatenate([[0], np.cumsum(row_tot)[:-1]]) / tot
    cmap = colormaps["magma_r"]
    vmax = C.max()
    with np.errstate(divide="ignore", invalid="ignore"):
        wfrac = np.where(row_tot[:, None] > 0, C / row_tot[:, None], 0.0)
        hfrac = np.where(col_tot[None, :] > 0, C / col_tot[None, :], 0.0)
    ii, jj = np.nonzero(C)
    for i, j in zip(ii, jj):
        cw, ch = col_tot[j] / tot, row_tot[i] / tot
        w, h = cw * wfrac[i, j], ch * hfrac[i, j]
        ax.add_patch(
            Rectangle(
                (x0[j] + (cw - w) / 2, y0[i] + (ch - h) / 2), w, h, color=cmap(C[i, j] / vmax), lw=0
            )
        )
    for x in x0[1:]:
        ax.axvline(x, color="0.85", lw=0.4)
    for y in y0[1:]:
        ax.axhline(y, color="0.85", lw=0.4)
    ax.set_xlim(0, 1)
    ax.set_ylim(1, 0)
    L = C.shape[0]
    if L <= 40:  # a label only for a row / column that has rows (an empty one has no area)
        if col_labels is not None:
            keep = np.flatnonzero(col_tot > 0)
            ax.set_xticks((x0 + col_tot / tot / 2)[keep])
            ax.set_xticklabels([str(col_labels[j]) for j in keep], fontsize=6, rotation=90)
        if row_labels is not None:
            keep = np.flatnonzero(row_tot > 0)
            ax.set_yticks((y0 + row_tot / tot / 2)[keep])
            ax.set_yticklabels([str(row_labels[i]) for i in keep], fontsize=6)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_xlabel("prediction (columns ∝ size)")
    ax.set_ylabel("reference (rows ∝ size)")
    ax.set_title(title, fontsize=9)
    sm = ScalarMappable(cmap=cmap, norm=Normalize(0, vmax))
    fig.colorbar(sm, ax=ax, fraction=0.046, pad=0.02, label="count")
    return _finish(fig, path) if own else fig


def plot_attention(
    attention: np.ndarray,
    ids: np.ndarray | None = None,
    feature_names=None,
    path: str | None = None,
    max_rows: int = 2000,
    random_state: int = 0,
):
    """[CLS] attention over configurations, one row per sample.

    Rows are sorted by the samples' configuration ids (lexicographically, coarse
    first) so that samples of one cluster sit together; columns are
    configurations; colour = attention weight.

    Parameters
    ----------
    attention : ndarray of shape (n, m)
        [CLS]→configuration weights (rows sum to ≤ 1; registers and [CLS]
        itself take the rest).
    ids : ndarray of shape (n, m), optional
        Aligned ids used for the row order.
    feature_names : sequence of str, optional
    path : str, optional
    max_rows : int, default=2000
        Subsample rows (seeded) above this.
    random_state : int, default=0
        Seed of the row subsample when there are more than ``max_rows`` rows.
    """
    A = np.asarray(attention, dtype=np.float64)
    if A.ndim != 2:
        raise ValueError(f"attention must be 2-D (samples × configurations), got {A.shape}")
    rows = np.arange(A.shape[0])
    if A.shape[0] > max_rows:
        rows = np.sort(
            np.random.default_rng(random_state).choice(A.shape[0], max_rows, replace=False)
        )
    A = A[rows]
    if ids is not None:
        I = np.asarray(ids)[rows]
        order = np.lexsort(I.T[::-1])
        A = A[order]
    fig = _figure((max(5, 0.35 * A.shape[1] + 2), 6))
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(A, aspect="auto", interpolation="nearest", cmap="viridis")
    ax.set_xlabel("configuration (coarse → fine)")
    ax.set_ylabel("samples (sorted by configuration ids)")
    if feature_names is not None and len(feature_names) == A.shape[1] and A.shape[1] <= 40:
        ax.set_xticks(range(A.shape[1]))
        ax.set_xticklabels(feature_names, rotation=90, fontsize=7)
    ax.set_title("[CLS] attention per sample")
    fig.colorbar(im, ax=ax, label="attention")
    return _finish(fig, path)
