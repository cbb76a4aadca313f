"""The dbt project as Dagster sees it, kept apart so that `dagster-dbt project prepare-and-package`
can import it without the @dbt_assets decorator needing a manifest."""

from __future__ import annotations

from dagster_dbt import DbtProject

from orchestration import build_scope
from orchestration.settings import DBT_EXECUTABLE, PRODUCTION_BUILD_EXCLUDES, PROJECT_DIR, env

__all__ = ["DBT_EXECUTABLE", "PRODUCTION_BUILD_EXCLUDES", "dbt_project", "ensure_manifest"]

dbt_project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    target=env("MSPKPI_TARGET"),
)


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing (a fresh clone) or older than its files,
    so that the assets Dagster shows are the models dbt will build."""
    build_scope.ensure_manifest(dbt_project.manifest_path)
