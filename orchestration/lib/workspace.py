"""Where a run reads and writes: one landing folder in, one work folder out.

Every entry point (CLI, `dagster dev`, tests) points the pipeline at its folders through environment
variables, so the Dagster definitions, dbt's profile and the checks all agree without passing paths around.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.pseudonym import ensure_key

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO_ROOT / "seeds"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_WORKDIR = REPO_ROOT / "demo"


# One pipeline run at a time per workdir: the lake partitions and warehouse.duckdb have one writer. Runs
# launched from the UI or the schedule queue behind each other (the daemon of `dagster dev` dequeues);
# the CLI also takes the workdir lock (orchestration/cli.py).
DAGSTER_INSTANCE_CONFIG = """\
concurrency:
  runs:
    max_concurrent_runs: 1
telemetry:
  enabled: false
"""


@dataclass(frozen=True)
class Workspace:
    landing: Path
    workdir: Path

    @classmethod
    def from_env(cls) -> "Workspace":
        workdir = Path(os.environ.get("AAW_WORKDIR", DEFAULT_WORKDIR)).resolve()
        landing = Path(os.environ.get("AAW_LANDING", workdir / "landing")).resolve()
        return cls(landing=landing, workdir=workdir)

    @property
    def lake(self) -> Path:
        return self.workdir / "lake"

    @property
    def raw(self) -> Path:
        return self.lake / "raw"

    @property
    def quarantine(self) -> Path:
        return self.lake / "quarantine"

    @property
    def excluded(self) -> Path:
        """Records read fine and left out by the metric definitions (partial survey responses), by reason."""
        return self.lake / "excluded"

    @property
    def warehouse(self) -> Path:
        return self.workdir / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.workdir / "published"

    @property
    def pseudonym_key(self) -> Path:
        """The organisation's pseudonymisation secret: in the workdir, never under published/."""
        return self.workdir / "secrets" / "pseudonym.key"

    @property
    def run_lock(self) -> Path:
        """Held by the one `aaw run` of this workdir while it runs (released when its process ends)."""
        return self.workdir / ".run.lock"

    @property
    def dagster_home(self) -> Path:
        return self.workdir / "dagster_home"

    def environ(self) -> dict[str, str]:
        """The variables every process of a run needs (Dagster, dbt, Great Expectations)."""
        return {
            "AAW_WORKDIR": str(self.workdir),
            "AAW_LANDING": str(self.landing),
            "AAW_LAKE": str(self.lake),
            "AAW_WAREHOUSE_PATH": str(self.warehouse),
            "AAW_PSEUDONYM_KEY": str(self.pseudonym_key),
            "DAGSTER_HOME": str(self.dagster_home),
            "GX_ANALYTICS_ENABLED": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def activate(self) -> None:
        """Export this workspace to the current process and its children, creating its folders."""
        for folder in (self.workdir, self.dagster_home, self.raw, self.quarantine):
            folder.mkdir(parents=True, exist_ok=True)
        instance_config = self.dagster_home / "dagster.yaml"
        if not instance_config.exists():
            instance_config.write_text(DAGSTER_INSTANCE_CONFIG)
        ensure_key(self.pseudonym_key)
        os.environ.update(self.environ())
