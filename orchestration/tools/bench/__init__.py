"""The organisation-scale benchmark: `python -m orchestration.tools.bench` (`make bench`, `aaw bench`).

It generates the target organisation once (2,100 teams x 8 engineers, 5 AI tools, ~2 million usage events
a day, 60 days; flags make it smaller) and measures, each as wall time and peak memory (RSS summed over the
whole process tree: the `aaw run` Python process, dbt and anything they start):

- full_backfill: every day in one run, from an empty work folder (`--full-refresh`);
- nightly_early / nightly_late: one nightly incremental day, the day after `days // 2` days of history
  (day 30 of 60) and the last day (day 60 of 60). Each starts from exactly what a real nightly sees: the
  lake and warehouse of every earlier day, built by unmeasured-but-recorded setup backfills
  (setup_before_early: days 1..29, setup_before_late: days 31..59);
- reference: plain DuckDB SQL, no orchestration, computing weekly production deployments per engineer and
  team and monthly active users per tool straight from the same landing files (the engine's floor);
- ingest_probe: `generic.parse_usage_events` alone on the last day's usage file (ingest's core cost).

Every measured run is a child process (`python -m orchestration.cli run ...`), sampled every 0.2 s through
/proc. After a pipeline run the Dagster event log of its work folder gives each step's duration (grouped as
ingest, dbt, impact, checks, publish; overhead = wall - their sum, split into startup, between steps and shutdown),
and the run results of its two dbt steps (copied into the run's folder) the slowest models.

Results go to bench/results.json and a table on stdout. Timings on a shared machine are noisy: the load
average before and after every run is recorded next to it.
"""
