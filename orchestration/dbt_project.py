"""The dbt project as Dagster sees it, kept apart so that `dagster-dbt project prepare-and-package`
can import it without the @dbt_assets decorator needing a manifest."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import DBT_EXECUTABLE, PRODUCTION_BUILD_EXCLUDES, PROJECT_DIR, env

__all__ = ["DBT_EXECUTABLE", "PRODUCTION_BUILD_EXCLUDES", "dbt_project", "ensure_manifest"]

dbt_project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    target=env("MSPKPI_TARGET"),
)

# What the manifest is made of: when any of it is newer than the manifest, the manifest is stale.
DBT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in DBT_SOURCES:
        path = project_dir / name
        paths = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        newest = max([newest, *(p.stat().st_mtime for p in paths if p.is_file())])
    return newest


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing (a fresh clone) or older than its files,
    so that the assets Dagster shows are the models dbt will build."""
    manifest = dbt_project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(PROJECT_DIR):
        subprocess.run(
            [
                str(DBT_EXECUTABLE),
                *("parse", "--quiet", "--project-dir", str(PROJECT_DIR)),
                *("--profiles-dir", str(PROJECT_DIR), "--target-path", str(manifest.parent)),
            ],
            env={**os.environ, "DO_NOT_TRACK": "1"},
            check=True,
        )
