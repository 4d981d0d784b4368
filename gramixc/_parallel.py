"""One rule for ``n_jobs`` (scikit-learn's): None → 1, a negative value counts back from
the number of cores (−1 = all, −2 = all but one), never below 1."""

from __future__ import annotations

import os

__all__ = ["effective_n_jobs"]


def effective_n_jobs(n_jobs: int | None) -> int:
    """Workers (processes or threads) for ``n_jobs``.

    Parameters
    ----------
    n_jobs : int or None
        scikit-learn semantics: None → 1; ``-1`` → all cores; ``-2`` → all but one.

    Returns
    -------
    int
        At least 1.

    Examples
    --------
    >>> effective_n_jobs(None), effective_n_jobs(3)
    (1, 3)
    >>> effective_n_jobs(-1) == (os.cpu_count() or 1)
    True
    """
    if n_jobs is None:
        return 1
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))
    return max(1, int(n_jobs))
