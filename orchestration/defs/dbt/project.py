"""The one dbt project. Its manifest is prepared by a command (`make prepare` or `aaw`), never on import."""

import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.lib.workspace import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# dbt is a console script beside this interpreter; found there even when the venv is not activated.
DBT_EXECUTABLE = shutil.which("dbt", path=str(Path(sys.executable).parent)) or "dbt"


def dbt_cli() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=dbt_project.profiles_dir, dbt_executable=DBT_EXECUTABLE)


def prepare_manifest() -> None:
    """`dbt parse`: writes the manifest the Dagster definitions are built from."""
    dbt_cli().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
