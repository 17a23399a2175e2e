-- Daily usage cost (usage and credit spend, whoever spent it: a leaked key is exactly spend without an engineer) of
-- each identity x tool and of each tool, kept where it is a spike: at least spend_spike_min_daily_usd and more than
-- spend_spike_ratio times the most it cost on any day of the 28 before (var active_window_days; days without spend
-- cost 0). A day is judged once the data has spend_spike_min_history_days days before it: the first days of the
-- data have nothing to compare with. A new identity spending that much at once (a leaked key, a runaway agent) is a
-- spike; a user growing into a tool over weeks is not.
with

spend as (

    select * from {{ ref('int_spend_attributed') }}
    where spend_kind in ('usage', 'credit')

),

dates as (

    select date_day from {{ ref('int_dates_spanned') }}
    where is_in_data

),

daily as (

    select
        'identity' as entity_type,
        identity as entity_id,
        tool,
        spend_date,
        sum(amount_usd) as usage_cost_usd
    from spend
    group by identity, tool, spend_date

    union all

    select
        'tool' as entity_type,
        tool as entity_id,
        tool,
        spend_date,
        sum(amount_usd) as usage_cost_usd
    from spend
    group by tool, spend_date

),

candidates as (

    select
        *,
        {{ dbt.dateadd('day', -(var('active_window_days', 28) | int), 'spend_date') }} as window_start
    from daily
    where usage_cost_usd >= {{ metric_var('spend_spike_min_daily_usd') }}

),

history_days as (

    select
        candidates.entity_type,
        candidates.entity_id,
        candidates.tool,
        candidates.spend_date,
        count(*) as days_before
    from candidates
    inner join dates
        on candidates.spend_date > dates.date_day
        and candidates.window_start <= dates.date_day
    group by candidates.entity_type, candidates.entity_id, candidates.tool, candidates.spend_date

),

trailing_peaks as (

    select
        candidates.entity_type,
        candidates.entity_id,
        candidates.tool,
        candidates.spend_date,
        max(earlier.usage_cost_usd) as trailing_peak_usd
    from candidates
    inner join daily as earlier
        on candidates.entity_type = earlier.entity_type
        and candidates.entity_id = earlier.entity_id
        and candidates.tool = earlier.tool
        and candidates.spend_date > earlier.spend_date
        and candidates.window_start <= earlier.spend_date
    group by candidates.entity_type, candidates.entity_id, candidates.tool, candidates.spend_date

),

flagged as (

    select
        candidates.entity_type,
        candidates.entity_id,
        candidates.tool,
        candidates.spend_date,
        candidates.usage_cost_usd,
        coalesce(trailing_peaks.trailing_peak_usd, 0) as trailing_peak_usd
    from candidates
    inner join history_days
        on candidates.entity_type = history_days.entity_type
        and candidates.entity_id = history_days.entity_id
        and candidates.tool = history_days.tool
        and candidates.spend_date = history_days.spend_date
    left join trailing_peaks
        on candidates.entity_type = trailing_peaks.entity_type
        and candidates.entity_id = trailing_peaks.entity_id
        and candidates.tool = trailing_peaks.tool
        and candidates.spend_date = trailing_peaks.spend_date
    where history_days.days_before >= {{ metric_var('spend_spike_min_history_days') }}
        and candidates.usage_cost_usd
        > {{ metric_var('spend_spike_ratio') }} * coalesce(trailing_peaks.trailing_peak_usd, 0)

)

select * from flagged
