"""How dbt nodes appear in Dagster. Groups and other per-model settings come from dbt `meta.dagster`."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings


class WarehouseTranslator(DagsterDbtTranslator):
    """dbt models and seeds under a `warehouse/` key prefix, apart from the lake (`raw/`)."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        key = super().get_asset_key(dbt_resource_props)
        if dbt_resource_props["resource_type"] == "source":
            return key  # sources carry their lake asset key in meta.dagster.asset_key
        return key.with_prefix("warehouse")
