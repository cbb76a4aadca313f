"""The serving file as a Dagster asset: the read-only copy of the marts that BI tools read."""
