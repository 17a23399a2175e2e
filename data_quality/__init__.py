"""Great Expectations suites as code, one module per contract, and the SQL gates GX cannot express.

- landing.py: landing contracts, one suite per canonical entity, run on each ingested partition;
- publication.py: publication contracts, one suite per metric mart;
- drift.py: set-based gates in SQL (silence, tolerances, week-over-week jumps, completeness);
- gaming.py: the gaming gate in SQL (flagged deploys, split pull requests, bot activity against gaming_tolerance);
- runner.py: validates DataFrames against suites and keeps Data Docs up to date.
"""
