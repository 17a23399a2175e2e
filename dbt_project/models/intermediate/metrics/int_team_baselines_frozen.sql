-- The velocity baseline, frozen: a team's baseline is written once, when its window is complete in
-- the data, and never rewritten, not even by --full-refresh (full_refresh=false). A later backfill of
-- baseline-window data shows up as a baseline_drift guard signal instead of moving every target.
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='fail',
    )
}}

with

computed as (

    select * from {{ ref('int_team_baselines_computed') }}
    where is_window_complete

),

new_baselines as (

    select
        computed.team_id,
        computed.programme,
        computed.baseline_start,
        computed.baseline_end,
        computed.baseline_deploys,
        computed.baseline_headcount,
        computed.baseline_deploys_per_engineer,
        current_timestamp as frozen_at
    from computed
    {% if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as frozen
        where frozen.team_id = computed.team_id and frozen.programme = computed.programme
    )
    {% endif %}

)

select * from new_baselines
