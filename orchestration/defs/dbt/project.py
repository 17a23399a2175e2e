"""The one dbt project. Its manifest is prepared by `make prepare` (dbt parse), never on import."""

from dagster_dbt import DbtProject

from orchestration.lib.workspace import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
