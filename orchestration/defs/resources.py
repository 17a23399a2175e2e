"""Resources, configured from the environment the entry point prepared (orchestration/lib/workspace.py)."""

from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.project import dbt_project

dbt_resource = DbtCliResource(project_dir=dbt_project, profiles_dir=dbt_project.profiles_dir)
