"""torch's global state, set and restored around gramixc's own work: the RNG
(:class:`seeded`) and the intra-op thread count (:class:`torch_threads`). Torch only;
imports nothing else from gramixc."""

from __future__ import annotations

try:
    import torch
except ImportError as err:  # the extra that brings it, named as everywhere in gramixc
    raise ImportError('the attention fusion (GraMixC\'s fusion sets, GraMixCRegressor, '
                      'GraMixCClassifier) and gramixc.vision need torch, which is not '
                      'installed: pip install "gramixc[torch]" (or gramixc[all])') from err

__all__ = ["seeded", "torch_threads"]


class torch_threads:
    """Context manager: torch's intra-op thread count set inside, restored on exit.

    ``n=None`` leaves torch's setting alone. The estimators pass one thread
    (:data:`gramixc.fusion_steps.TORCH_THREADS`): these models are small, and a
    multi-threaded torch next to other busy processes (XGBoost, joblib workers, a
    parallel test suite) spin-waits — measured 10–30× slower on 2 cores — and float32
    sums split across threads differ in the last bits.

    Parameters
    ----------
    n : int or None
        Threads inside the block (None: unchanged).
    """

    def __init__(self, n: int | None) -> None:
        self.n = n

    def __enter__(self):
        self._old = torch.get_num_threads()
        if self.n is not None:
            torch.set_num_threads(max(1, int(self.n)))
        return self

    def __exit__(self, *exc):
        torch.set_num_threads(self._old)
        return False


class seeded:
    """Context manager: torch's global RNG seeded inside, restored on exit.

    Build models inside it so that their initial weights follow ``random_state``
    without touching the caller's torch randomness.

    Parameters
    ----------
    seed : int
        Seed of torch's global RNG inside the block.

    Examples
    --------
    >>> with seeded(0):
    ...     a = torch.rand(2)
    >>> with seeded(0):
    ...     b = torch.rand(2)
    >>> bool(torch.equal(a, b))
    True
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def __enter__(self):
        self._state = torch.random.get_rng_state()
        torch.manual_seed(self.seed)
        return self

    def __exit__(self, *exc):
        torch.random.set_rng_state(self._state)
        return False
