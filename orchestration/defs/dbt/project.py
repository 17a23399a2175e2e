"""The one dbt project. Its manifest is prepared by a command (`make prepare` or `aaw`), never on import."""

import shutil
import sys
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from orchestration.lib.workspace import DBT_PROJECT_DIR, SEEDS_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# dbt is a console script beside this interpreter; found there even when the venv is not activated.
DBT_EXECUTABLE = shutil.which("dbt", path=str(Path(sys.executable).parent)) or "dbt"


class ProjectDbtCli(DbtCliResource):
    """dagster-dbt's resource running the dbt installed beside this interpreter.

    dagster-dbt learns the executable's version by running `dbt --version` once per resource instance, and a run
    makes one per step: two to three CPU-seconds each, on every run. That executable is the dbt-core package
    installed here, so its metadata already says.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))


def dbt_cli() -> DbtCliResource:
    return ProjectDbtCli(project_dir=dbt_project, profiles_dir=dbt_project.profiles_dir, dbt_executable=DBT_EXECUTABLE)


def is_newer_than_project(path: Path) -> bool:
    """Whether `path` was written after the last change to any model, macro, test, seed or setting."""
    if not path.exists():
        return False
    sources = [
        file
        for folder in ("models", "macros", "tests", "snapshots")
        for file in (DBT_PROJECT_DIR / folder).rglob("*")
        if file.is_file()
    ]
    sources += [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml", *SEEDS_DIR.glob("*.csv")]
    return path.stat().st_mtime > max(file.stat().st_mtime for file in sources)


def prepare_manifest() -> None:
    """`dbt parse`: writes the manifest the Dagster definitions are built from (skipped when current)."""
    if not is_newer_than_project(dbt_project.manifest_path):
        dbt_cli().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
