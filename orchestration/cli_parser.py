"""The `aaw` command line: every command and option with its help text and an example."""

import argparse
from datetime import date
from pathlib import Path

from orchestration.lib.workspace import DEFAULT_WORKDIR, ENGINES

DESCRIPTION = """\
aaw: the ai-adoption-warehouse pipeline from the shell. It runs the Dagster definitions in-process (the same
assets, checks and publication the UI and the schedule run). A run shows its progress and ends with a summary;
the whole log goes to WORKDIR/logs/<command>-<time>.log (--verbose shows it as well)."""

EXAMPLES = """\
examples:
  aaw demo                                         generate a demo organisation and run everything into ./demo
  aaw run --landing exports/ --workdir work/       run the pipeline over your own landing files
  aaw status --workdir work/                       the last runs, the current publication, open guard signals
  aaw dev --workdir work/                          the Dagster UI over a work folder
  aaw <command> --help                             a command's options and an example"""


def _parser(commands, name: str, help_text: str, example: str, description: str | None = None):
    return commands.add_parser(
        name,
        help=help_text,
        description=description or help_text[0].upper() + help_text[1:] + ".",
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_size_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--teams", type=int, default=12, help="teams in the generated organisation (default: 12)")
    parser.add_argument(
        "--engineers-per-team",
        type=int,
        default=8,
        help="engineers per team (default: 8; the planted gaming cases need at least 12 engineers in all)",
    )
    parser.add_argument("--days", type=int, default=56, help="days of data, from Monday 2026-01-05 (default: 56)")
    parser.add_argument(
        "--seed", type=int, default=7, help="random seed: the same seed writes the same files (default: 7)"
    )
    parser.add_argument(
        "--vendor-formats",
        action="store_true",
        help="write usage, grants, deployments, surveys and pull requests in the vendors' own export formats where "
        "they can carry them exactly (the marts come out the same)",
    )


def _add_workdir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help="work folder: lake/, warehouse.duckdb, published/, logs/ and the run history (default: demo/ in the "
        "repository, where `aaw demo` writes)",
    )


def _add_engine(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="duckdb",
        help="what dbt builds the warehouse on: duckdb (default) or spark, a local Spark session (needs "
        '`pip install -e ".[spark]"` and Java 17; the same marts are published)',
    )


def _add_lake(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lake",
        default="",
        metavar="URI",
        help="where the lake lives (default: WORKDIR/lake): a local path, file:///path, s3://bucket/prefix, "
        "gs://bucket/prefix or abfs://container/prefix; credentials and endpoint from the store's standard "
        "environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL for S3)",
    )


def _add_verbose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print the whole log (Dagster, dbt) as well as writing it to the log file",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aaw", description=DESCRIPTION, epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = _parser(
        commands,
        "demo",
        "generate a demo organisation, run everything, summarise what was published",
        "aaw demo --teams 3 --engineers-per-team 6 --days 21 --workdir /tmp/aaw-demo",
        description="Generate a demo organisation's landing files into WORKDIR/landing (replacing the last demo's "
        "landing, lake and warehouse) and run the whole pipeline over them.",
    )
    _add_workdir(demo)
    _add_size_flags(demo)
    _add_engine(demo)
    _add_verbose(demo)

    run = _parser(
        commands,
        "run",
        "run the pipeline over the landing files in a folder",
        "aaw run --landing /data/landing --workdir /data/aaw --from 2026-03-01 --to 2026-03-07",
        description="Ingest the landing files of a window of UTC days into the lake, build the warehouse with dbt, "
        "run the gates and publish the marts if every gate passed. A failed run publishes nothing and leaves the "
        "lake as it was; it says which gate or step stopped it, what to do, and the command that reruns the window.",
    )
    run.add_argument(
        "--landing",
        type=Path,
        required=True,
        help="the folder of exporter files (generic contract v1 and the supported vendor formats, see README)",
    )
    run.add_argument(
        "--workdir",
        type=Path,
        required=True,
        help="the work folder that receives lake/, warehouse.duckdb, published/, logs/ and dagster_home/ "
        "(created if missing; one run at a time)",
    )
    _add_lake(run)
    run.add_argument(
        "--from",
        dest="first",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="first UTC day of the window (default: the first day a deployments or usage file names)",
    )
    run.add_argument(
        "--to",
        dest="last",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="last UTC day of the window (default: the last day a deployments or usage file names)",
    )
    run.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models from the whole lake, not the window"
    )
    _add_engine(run)
    _add_verbose(run)

    # `aaw bench ...` hands its arguments to the benchmark's own parser (see cli.main's first lines)
    _parser(
        commands,
        "bench",
        "the organisation-scale benchmark (its options: aaw bench --help)",
        "aaw bench --teams 50 --days 7",
    ).add_argument("options", nargs="*", help="the benchmark's own options, see aaw bench --help")

    dev = _parser(
        commands,
        "dev",
        "open the Dagster UI (asset graph, runs, backfills, schedules) over a work folder",
        "aaw dev --workdir /data/aaw --landing /data/landing --port 3001",
        description="Start `dagster dev` (webserver, daemon, code server) over a work folder. Ctrl-C or SIGTERM "
        "stops all of its processes, also when it runs in the background.",
    )
    _add_workdir(dev)
    _add_lake(dev)
    dev.add_argument("--landing", type=Path, help="landing folder the sensor watches (default: WORKDIR/landing)")
    dev.add_argument(
        "--first-day",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="first daily partition the UI offers (default: AAW_FIRST_DAY, else the first day of the landing "
        "folder's deployments or usage files, else the demo's first day)",
    )
    dev.add_argument("--port", type=int, default=3000, help="the webserver's port (default: 3000)")
    _add_engine(dev)

    generate = _parser(
        commands,
        "generate",
        "write a demo organisation's landing files (generic contract v1) only",
        "aaw generate --out /tmp/org --teams 4 --days 14",
    )
    generate.add_argument("--out", type=Path, required=True, help="writes OUT/landing and OUT/ground_truth.json")
    _add_size_flags(generate)

    from orchestration.lib.explain import METRICS

    explain = _parser(
        commands,
        "explain",
        "explain one published number: definition, value, inputs and the raw records behind it",
        "aaw explain --metric deploys_per_engineer --team team-001 --week 2026-W03 --workdir demo",
        description="Reads WORKDIR/warehouse.duckdb read-only (the analyst's copy, with the facts and their lineage "
        "to landing files and lines) and compares with published/current. Team metrics take --team and --week; "
        "tool metrics (monthly_active_users, licence_utilisation, idle_seats, shadow_users, nps) --tool and --month; "
        "ai_impact takes neither: the impact estimates and the cohorts of teams they compare.",
    )
    explain.add_argument("--metric", required=True, choices=METRICS, metavar="METRIC", help=", ".join(METRICS))
    explain.add_argument("--team", help="team_id (team metrics)")
    explain.add_argument("--week", help="any day of the ISO week, e.g. 2026-01-12, or 2026-W03 (team metrics)")
    explain.add_argument("--tool", help="tool, e.g. claude_code (tool metrics)")
    explain.add_argument("--month", help="month, e.g. 2026-01 (tool metrics)")
    _add_workdir(explain)
    _add_lake(explain)
    explain.add_argument("--limit", type=int, default=50, help="records listed per table (0: all; default: 50)")

    status = _parser(
        commands,
        "status",
        "last runs, the current publication and open guard signals of a work folder",
        "aaw status --workdir /data/aaw --runs 10",
    )
    _add_workdir(status)
    status.add_argument("--runs", type=int, default=5, help="how many of the last runs to show (default: 5)")
    return parser
