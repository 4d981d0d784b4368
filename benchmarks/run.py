"""Benchmark suite: predictor alone vs + configurations vs + GraMixC, honest protocol.

Usage::

    python benchmarks/run.py --quick          # a few minutes: diabetes, wine, 16S gold
    python benchmarks/run.py                  # the full suite (about an hour on 2 cores)
    python benchmarks/run.py --datasets diabetes 16s_gold --folds 5
    python benchmarks/run.py --datasets 16s_ncbi --append   # add/replace one dataset
    python benchmarks/run.py --report-only    # rebuild the report from the raw JSON

The runner itself is ``benchmarks/suite.py``: application code, kept out of the
installed package (it imports gramixc like any user code). Writes
docs/suite.md, docs/img/bench_*.png and benchmarks/results/benchmarks.json.
Optional datasets need ``bash benchmarks/setup_data.sh``; missing ones are skipped
with the reason.
"""

from suite import main

if __name__ == "__main__":
    raise SystemExit(main())
