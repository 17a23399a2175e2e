-- Outcome x scope x estimator x effect window: did AI adoption move delivery? The pipeline's impact estimator
-- writes the rows (staggered difference-in-differences over mart_team_weekly and mart_team_cohorts); this model
-- gives them their published types and contract, so they are gated and published like every other mart.
with

estimates as (

    select * from {{ impact_estimates() }}

),

typed as (

    select
        cast(outcome as {{ dbt.type_string() }}) as outcome,
        cast(scope as {{ dbt.type_string() }}) as scope,
        cast(estimator as {{ dbt.type_string() }}) as estimator,
        cast(effect_window as {{ dbt.type_string() }}) as effect_window,
        cast(event_week as {{ dbt.type_int() }}) as event_week,
        cast(estimate as {{ type_double() }}) as estimate,
        cast(std_error as {{ type_double() }}) as std_error,
        cast(ci_low as {{ type_double() }}) as ci_low,
        cast(ci_high as {{ type_double() }}) as ci_high,
        cast(n_treated_teams as {{ dbt.type_bigint() }}) as n_treated_teams,
        cast(n_control_teams as {{ dbt.type_bigint() }}) as n_control_teams,
        cast(n_team_weeks as {{ dbt.type_bigint() }}) as n_team_weeks,
        cast(pretrend_p as {{ type_double() }}) as pretrend_p,
        cast(is_reliable as boolean) as is_reliable,
        cast(reason as {{ dbt.type_string() }}) as reason
    from estimates

)

select * from typed
