"""The dbt resource knows the version of the dbt it runs without asking the executable on every step."""

import subprocess

from orchestration.defs.dbt.project import DBT_EXECUTABLE, dbt_cli


def test_the_version_the_resource_reads_is_the_executables():
    printed = subprocess.run([DBT_EXECUTABLE, "--version"], capture_output=True, text=True, check=True).stdout
    assert f"installed: {dbt_cli()._cli_version}" in printed
