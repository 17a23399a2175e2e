-- Licence padding: at least licence_padding_min_grants_same_day grants of one tool on one day whose
-- holders never actively used that tool. Flagged, not excluded: they are real seats and show as idle.
with

grants as (

    select * from {{ ref('int_licence_grants_resolved') }}

),

activity as (

    select * from {{ ref('int_tool_activity_attributed') }}
    where is_active_type

),

users as (

    select distinct
        identity,
        engineer_id,
        tool
    from activity

),

never_used as (

    select grants.*
    from grants
    where
        not exists (
            select 1 from users
            where users.tool = grants.tool
                and (users.identity = grants.identity or users.engineer_id = grants.engineer_id)
        )

),

flagged as (

    select
        tool,
        granted_date,
        count(*) as never_used_grants
    from never_used
    group by tool, granted_date
    having count(*) >= {{ metric_var('licence_padding_min_grants_same_day') }}

)

select * from flagged
