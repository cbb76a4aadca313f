"""The dbt project as Dagster sees it, kept apart so that `dagster-dbt project prepare-and-package`
can import it without the @dbt_assets decorator needing a manifest."""

from __future__ import annotations

from dagster_dbt import DbtProject

from orchestration.settings import PROJECT_DIR, env

dbt_project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    target=env("MSPKPI_TARGET"),
)


def ensure_manifest() -> None:
    """Parse the dbt project when no manifest exists yet (a fresh clone), so definitions load."""
    if not dbt_project.manifest_path.exists():
        dbt_project.preparer.prepare(dbt_project)
