-- The whole company x ISO week: the org roll-up over every team at once. BI reads company totals here;
-- summing mart_org_weekly rates would weigh orgs wrongly once any team is suppressed.
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

    {{ team_week_rollup('team_weeks', 'weeks', 'pull_requests', 'deployments') }}

)

select * from final
