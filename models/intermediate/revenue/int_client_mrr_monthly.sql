{#
    The MRR of every client and month in the client's own currency, and its movement against the
    previous month (doc blocks mrr_definition and mrr_movements). The spine runs over the whole
    agreement history, so that a client already paying before the revenue window is not "new" in
    the window's first month; the window itself is flagged for the marts.
#}

with

agreements as (

    select * from {{ ref('stg_psa__agreements') }}

),

invoice_lines as (

    select * from {{ ref('stg_psa__invoice_lines') }}

),

recurring_agreements as (

    select
        agreement_id,
        client_id,
        currency,
        started_on,
        ended_on,
        cancelled_on,
        -- normalised to a month: quarterly / 3, annual / 12
        billing_cycle_amount / billing_cycle_months as monthly_amount
    from agreements
    where
        agreement_type in ('managed_services', 'block_hours')
        and billing_cycle <> 'one_time'
        and billing_cycle_months is not null

),

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'min(started_on)') }} as date) as first_month_start_on,
        -- the last month whose last day is on or before the as-of date
        cast(
            {{ dbt.dateadd(
                'month',
                -1,
                dbt.date_trunc('month', dbt.dateadd('day', 1, as_of_date())),
            ) }} as date
        ) as last_month_start_on
    from recurring_agreements

),

-- the revenue window starts with the billing history: the month of the first invoice line
window_bounds as (

    select
        coalesce(
            (select cast({{ dbt.date_trunc('month', 'min(invoiced_on)') }} as date) from invoice_lines),
            bounds.first_month_start_on
        ) as window_first_month_start_on,
        bounds.last_month_start_on as window_last_month_start_on
    from bounds

),

months as (

    {{ month_spine(
        start_date='(select bounds.first_month_start_on from bounds)',
        end_date='(select bounds.last_month_start_on from bounds)',
    ) }}

),

-- active on the month's last day d: started_on <= d, ended_on null or d <= ended_on (inclusive),
-- cancelled_on null or d < cancelled_on (exclusive)
agreement_months as (

    select
        recurring_agreements.client_id,
        recurring_agreements.currency,
        months.month_start_on,
        recurring_agreements.monthly_amount
    from recurring_agreements
    inner join months
        on
            recurring_agreements.started_on <= months.month_end_on
            and (recurring_agreements.ended_on is null or recurring_agreements.ended_on >= months.month_end_on)
            and (recurring_agreements.cancelled_on is null or recurring_agreements.cancelled_on > months.month_end_on)

),

client_mrr as (

    select
        client_id,
        month_start_on,
        -- fixed precision, so that equal MRR compares equal whatever the order of the sum
        {{ to_decimal('sum(monthly_amount)', 4) }} as mrr_own_currency_amount
    from agreement_months
    group by client_id, month_start_on

),

-- one currency per client (test revenue_client_agreements_share_one_currency)
client_currencies as (

    select
        client_id,
        min(currency) as currency
    from recurring_agreements
    group by client_id

),

client_spans as (

    select
        client_id,
        min(month_start_on) as first_mrr_month_start_on,
        max(month_start_on) as last_mrr_month_start_on
    from client_mrr
    group by client_id

),

-- from the first month with MRR to the month after the last one (the churn row), gaps included
client_months as (

    select
        client_spans.client_id,
        months.month_start_on,
        months.month_end_on,
        months.month_start_on = client_spans.first_mrr_month_start_on as is_first_mrr_month
    from client_spans
    inner join months
        on
            client_spans.first_mrr_month_start_on <= months.month_start_on
            and months.month_start_on
            <= cast({{ dbt.dateadd('month', 1, 'client_spans.last_mrr_month_start_on') }} as date)

),

with_previous as (

    select
        client_months.client_id,
        client_months.month_start_on,
        client_months.month_end_on,
        client_months.is_first_mrr_month,
        -- cast again: PostgreSQL's coalesce and lag drop the decimal's scale
        cast(coalesce(client_mrr.mrr_own_currency_amount, 0) as decimal(18, 4)) as mrr_own_currency_amount,
        cast(coalesce(
            lag(client_mrr.mrr_own_currency_amount) over (
                partition by client_months.client_id
                order by client_months.month_start_on
            ),
            0
        ) as decimal(18, 4)) as previous_mrr_own_currency_amount
    from client_months
    left join client_mrr
        on
            client_months.client_id = client_mrr.client_id
            and client_months.month_start_on = client_mrr.month_start_on

),

final as (

    select
        -- ids
        with_previous.client_id,

        -- attributes
        client_currencies.currency,
        case
            when with_previous.mrr_own_currency_amount > 0 and with_previous.previous_mrr_own_currency_amount = 0
                then case when with_previous.is_first_mrr_month then 'new' else 'reactivation' end
            when with_previous.mrr_own_currency_amount > with_previous.previous_mrr_own_currency_amount
                then 'expansion'
            when
                with_previous.mrr_own_currency_amount > 0
                and with_previous.mrr_own_currency_amount < with_previous.previous_mrr_own_currency_amount
                then 'contraction'
            when with_previous.mrr_own_currency_amount = 0 and with_previous.previous_mrr_own_currency_amount > 0
                then 'churn'
        end as change_category,

        -- dates
        with_previous.month_start_on,
        with_previous.month_end_on,

        -- amounts, in the client's own currency
        with_previous.mrr_own_currency_amount,
        with_previous.previous_mrr_own_currency_amount,
        cast(
            with_previous.mrr_own_currency_amount - with_previous.previous_mrr_own_currency_amount as decimal(18, 4)
        ) as mrr_change_own_currency_amount,

        -- booleans
        with_previous.mrr_own_currency_amount > 0 as is_paying,
        with_previous.is_first_mrr_month,
        with_previous.month_start_on >= window_bounds.window_first_month_start_on as is_in_revenue_window

    from with_previous
    inner join client_currencies
        on with_previous.client_id = client_currencies.client_id
    cross join window_bounds

)

select * from final
