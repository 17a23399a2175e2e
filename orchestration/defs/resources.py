"""Resources, configured from the environment the entry point prepared (orchestration/lib/workspace.py)."""

from orchestration.defs.dbt.project import dbt_cli

dbt_resource = dbt_cli()
