-- Every identity string that names a roster engineer: emails (case-insensitive), GitHub logins, and
-- the extra identities of identities.csv. An identity claimed by two engineers resolves to neither
-- and stays unattributed (reported) rather than being credited to a guess.
-- A table, not a view: usage, deploys, grants, surveys and pull requests all resolve identities through it,
-- and as a view it would be resolved again for each of them.
{{ config(materialized='table') }}
with

roster as (

    select * from {{ ref('stg_lake__roster_snapshots') }}

),

extra_identities as (

    select * from {{ ref('stg_lake__identities') }}

),

candidates as (

    select distinct
        email as identity,
        engineer_id
    from roster
    where email is not null
    union
    select distinct
        github_login as identity,
        engineer_id
    from roster
    where github_login is not null
    union
    select distinct
        identity,
        engineer_id
    from extra_identities
    where identity is not null

),

resolved as (

    select
        identity,
        min(engineer_id) as engineer_id
    from candidates
    group by identity
    having count(distinct engineer_id) = 1

)

select * from resolved
