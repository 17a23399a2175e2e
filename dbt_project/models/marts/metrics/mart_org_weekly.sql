-- Org x ISO week. Sums (headcount, deploys, VDE) count every team; adopting, AI-native and on-track
-- counts and the adoption rate's denominator (publishable_teams) use teams at or above min_group_size.
with

team_weeks as (

    select * from {{ ref('int_team_weeks_computed') }}

),

weeks as (

    select distinct
        week_start,
        is_week_complete
    from {{ ref('dim_dates') }}

),

pull_requests as (

    select * from {{ ref('fct_pull_requests') }}

),

deployments as (

    select * from {{ ref('fct_deployments') }}

),

final as (

    {{ team_week_rollup('team_weeks', 'weeks', 'pull_requests', 'deployments', ['org']) }}

)

select * from final
