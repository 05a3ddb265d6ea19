"""Campaign-scale generated data: `groundswell seed --scale S --seed N` (docs/seeding.md).

One parameter scales the whole data set; `figures.py` holds the per-unit figures, `registry.py`
the steps, `runner.py` runs them and records the result in ops.SeedRun.
"""
