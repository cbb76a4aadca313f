"""MSP KPI warehouse: ingestion, orchestration and the command line around the dbt project."""
