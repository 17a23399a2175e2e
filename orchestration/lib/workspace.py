"""Where a run reads and writes: one landing folder in, one work folder out, and the paths below them.

The Dagster definitions receive a workspace as a resource (orchestration/defs/resources.py), dbt as `--vars`;
only a separate process (`aaw dev`'s `dagster dev`) gets it through its environment (`environ`).
"""

import json
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib import lake_fs
from orchestration.lib.lake_fs import LakePath
from orchestration.lib.pseudonym import ensure_key

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO_ROOT / "seeds"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_WORKDIR = REPO_ROOT / "demo"


# One pipeline run at a time per workdir: the lake partitions and warehouse.duckdb have one writer. Runs
# launched from the UI or the schedule queue behind each other (the daemon of `dagster dev` dequeues);
# the CLI also takes the workdir lock (orchestration/cli.py). The event log keeps its database engines open
# (orchestration/lib/run_event_log.py) in Dagster's own folder for it, history/runs under the instance's home.
DAGSTER_INSTANCE_CONFIG = """\
concurrency:
  runs:
    max_concurrent_runs: 1
telemetry:
  enabled: false
event_log_storage:
  module: orchestration.lib.run_event_log
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {event_log}
"""


def write_instance_settings(dagster_home: Path) -> None:
    """The run history's Dagster instance settings (dagster.yaml). They name the event log's folder absolutely,
    so every command that opens the history writes them again: a copied or moved workdir keeps to its own."""
    settings = DAGSTER_INSTANCE_CONFIG.format(event_log=json.dumps(str(dagster_home.resolve() / "history" / "runs")))
    path = dagster_home / "dagster.yaml"
    if not path.exists() or path.read_text() != settings:
        path.write_text(settings)


# The engines dbt builds the warehouse on, each a target of dbt_project/profiles.yml of the same name.
ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class Workspace:
    landing: Path
    workdir: Path
    lake_uri: str = ""  # empty: WORKDIR/lake; else a local path or an s3://, gs://, abfs:// or file:// URI
    engine: str = "duckdb"

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine {self.engine!r}: expected one of {', '.join(ENGINES)}")
        if self.engine == "spark" and "://" in self.lake_uri and not self.lake_uri.startswith("file://"):
            # the local session has no object-store connector (hadoop-aws and the like are not bundled with pyspark)
            raise ValueError("--engine spark reads a local lake only; a cluster reads an object-store lake (README)")

    @property
    def lake(self) -> LakePath:
        """The lake root: a local folder, or a prefix on an object store (lake_fs.py)."""
        return lake_fs.parse(self.lake_uri, self.workdir)

    @property
    def raw(self) -> LakePath:
        return self.lake / "raw"

    @property
    def quarantine(self) -> LakePath:
        return self.lake / "quarantine"

    @property
    def excluded(self) -> LakePath:
        """Records read fine and left out by the metric definitions (partial survey responses), by reason."""
        return self.lake / "excluded"

    @property
    def warehouse(self) -> Path:
        return self.workdir / "warehouse.duckdb"

    @property
    def spark(self) -> Path:
        """A Spark build's own files (`--engine spark`): its tables under warehouse/, its metastore (Derby)."""
        return self.workdir / "spark"

    @property
    def spark_warehouse(self) -> Path:
        return self.spark / "warehouse"

    @property
    def published(self) -> Path:
        return self.workdir / "published"

    @property
    def impact_estimates(self) -> Path:
        """The impact estimator's rows (Parquet), read by the dbt model mart_ai_impact on either engine."""
        return self.workdir / "impact" / "ai_impact_estimates.parquet"

    @property
    def pseudonym_key(self) -> Path:
        """The organisation's pseudonymisation secret: in the workdir, never under published/."""
        return self.workdir / "secrets" / "pseudonym.key"

    @property
    def run_lock(self) -> Path:
        """Held by the one `aaw run` of this workdir while it runs (released when its process ends)."""
        return self.workdir / ".run.lock"

    @property
    def dbt_target(self) -> Path:
        """dbt's files of this workdir's runs (compiled SQL, run results, its log, the docs it generates).

        Kept in the workdir, not the dbt project, so two workdirs can run from one checkout at once and a
        year of nightly runs leaves one folder, not a folder per run.
        """
        return self.workdir / "dbt"

    @property
    def run_window(self) -> Path:
        """The days a run's dbt steps rebuild in the incremental models, as JSON that dbt reads when a model runs
        (macros/window_filter.sql): as a var it would make dbt parse the whole project again every night."""
        return self.dbt_target / "run_window.json"

    @property
    def dagster_home(self) -> Path:
        return self.workdir / "dagster_home"

    def dbt_vars(self) -> dict[str, str | list]:
        """The paths dbt reads (profiles.yml, the lake sources, the pseudonymisation macro, the run's window), as
        `--vars`, and the filesystem of a lake on an object store (profiles.yml's `filesystems`)."""
        return {
            "lake_path": str(self.lake),
            "lake_filesystems": lake_fs.dbt_filesystems(self.lake),
            "warehouse_path": str(self.warehouse),
            "spark_path": str(self.spark),
            "pseudonym_key_path": str(self.pseudonym_key),
            "impact_estimates_path": str(self.impact_estimates),
            "run_window_path": str(self.run_window),
        }

    def environ(self) -> dict[str, str]:
        """The variables a separate process of this workspace needs: `dagster dev` and its daemon build the
        workspace resource from AAW_WORKDIR, AAW_LANDING, AAW_LAKE and AAW_ENGINE and keep their run history in
        DAGSTER_HOME."""
        return {
            "AAW_WORKDIR": str(self.workdir),
            "AAW_LANDING": str(self.landing),
            "AAW_LAKE": str(self.lake),
            "AAW_ENGINE": self.engine,
            "DAGSTER_HOME": str(self.dagster_home),
            "GX_ANALYTICS_ENABLED": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def prepare(self) -> None:
        """Create the folders, the run-history instance settings and the pseudonymisation secret of a run."""
        for folder in (self.workdir, self.dagster_home, self.raw, self.quarantine):
            folder.mkdir(parents=True, exist_ok=True)  # no-op on an object store: a prefix needs no creating
        write_instance_settings(self.dagster_home)
        ensure_key(self.pseudonym_key)
