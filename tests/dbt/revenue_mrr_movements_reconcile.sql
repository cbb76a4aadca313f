{#
    MRR movements add up, in the client's own currency and in the reporting currency:
    - per client and month, the previous own-currency MRR is the MRR of the client's previous month
      (0 when it has no row then), and the category agrees with the sign of the change;
    - per client and month, movement + fx effect = MRR - previous MRR in the reporting currency;
    - per month, new + expansion + reactivation - contraction - churned + fx effect = MRR - previous
      MRR, and the previous MRR is the MRR reported for the previous month.
    Amounts are compared to the cent. Each failing row says which check it breaks.
#}

with

client_mrr_monthly as (

    select * from {{ ref('fct_client_mrr_monthly') }}

),

mrr_monthly as (

    select * from {{ ref('kpi_mrr_monthly') }}

),

client_previous_rows as (

    select
        current_month.client_id,
        current_month.month_start_on,
        current_month.previous_mrr_own_currency_amount,
        coalesce(previous_month.mrr_own_currency_amount, 0) as mrr_own_currency_amount_of_previous_row,
        previous_month.client_id is not null as has_previous_row
    from client_mrr_monthly as current_month
    left join client_mrr_monthly as previous_month
        on
            current_month.client_id = previous_month.client_id
            and cast({{ dbt.dateadd('month', -1, 'current_month.month_start_on') }} as date)
            = previous_month.month_start_on

),

first_month as (

    select min(month_start_on) as month_start_on
    from client_mrr_monthly

),

failures as (

    -- the first month of the window has no previous row: its previous MRR comes from before
    select
        'own currency: previous MRR is not the previous month''s MRR' as failed_check,
        client_previous_rows.client_id,
        client_previous_rows.month_start_on,
        client_previous_rows.previous_mrr_own_currency_amount
        - client_previous_rows.mrr_own_currency_amount_of_previous_row as difference_amount
    from client_previous_rows
    cross join first_month
    where
        client_previous_rows.month_start_on > first_month.month_start_on
        and client_previous_rows.previous_mrr_own_currency_amount
        <> client_previous_rows.mrr_own_currency_amount_of_previous_row

    union all

    select
        'own currency: category disagrees with the change' as failed_check,
        client_id,
        month_start_on,
        mrr_change_own_currency_amount as difference_amount
    from client_mrr_monthly
    where
        (change_category in ('new', 'expansion', 'reactivation') and not mrr_change_own_currency_amount > 0)
        or (change_category in ('contraction', 'churn') and not mrr_change_own_currency_amount < 0)
        or (change_category is null and mrr_change_own_currency_amount <> 0)
        or (change_category = 'churn' and mrr_own_currency_amount <> 0)

    union all

    select
        'reporting currency: movement + fx effect <> MRR change (client)' as failed_check,
        client_id,
        month_start_on,
        mrr_movement_amount + fx_effect_amount - (mrr_amount - previous_mrr_amount) as difference_amount
    from client_mrr_monthly
    where abs(mrr_movement_amount + fx_effect_amount - (mrr_amount - previous_mrr_amount)) >= 0.005

    union all

    select
        'reporting currency: movements + fx effect <> MRR change (month)' as failed_check,
        cast(null as varchar(20)) as client_id,
        month_start_on,
        new_mrr_amount + expansion_mrr_amount + reactivation_mrr_amount - contraction_mrr_amount
        - churned_mrr_amount + fx_effect_amount - (mrr_amount - previous_mrr_amount) as difference_amount
    from mrr_monthly
    where
        abs(
            new_mrr_amount + expansion_mrr_amount + reactivation_mrr_amount - contraction_mrr_amount
            - churned_mrr_amount + fx_effect_amount - (mrr_amount - previous_mrr_amount)
        ) >= 0.01

    union all

    select
        'reporting currency: previous MRR is not the MRR reported last month' as failed_check,
        cast(null as varchar(20)) as client_id,
        current_month.month_start_on,
        current_month.previous_mrr_amount - previous_month.mrr_amount as difference_amount
    from mrr_monthly as current_month
    inner join mrr_monthly as previous_month
        on
            cast({{ dbt.dateadd('month', -1, 'current_month.month_start_on') }} as date)
            = previous_month.month_start_on
    where abs(current_month.previous_mrr_amount - previous_month.mrr_amount) >= 0.01

),

final as (

    select * from failures

)

select * from final
