"""No mart declares a column that looks like personal data (a person's name, an e-mail, a phone).

The contract's PII columns are hashed in staging (tests/test_manifest_conventions.py checks their
raw names on every model), and tests/test_end_to_end.py checks the data of the built marts. This
test reads the declared columns of the marts in a fresh `dbt parse` (written to a temporary target
path, no database needed), so that a new mart exposing `technician_name` or `contact_email` fails
before anything is built; marts enforce their contract (dbt-bouncer checks it), so the declared
columns are all the columns. Salted hashes (`*_hash`) are keys, not personal data, and pass.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

# tokens that are personal whatever comes before them (email, contact_email, phone_number ...)
PERSONAL_TOKENS = frozenset(
    {"email", "mail", "phone", "mobile", "surname", "firstname", "lastname"}
)
# <qualifier>_name is a person's name for these qualifiers (full_name, technician_name ...), and a
# thing's name otherwise (client_name, campaign_name, stage_name_en)
PERSON_QUALIFIERS = (
    "full|first|last|middle|given|family|sur|person|employee|technician|contact|manager|"
    "assignee|agent|user|requester|author|recruiter|candidate|hire"
)
PERSON_NAME = re.compile(rf"(^|_)({PERSON_QUALIFIERS})_?name($|_)")


def looks_personal(column_name: str) -> bool:
    """A column name that suggests personal data; salted hashes (`*_hash`) are keys and pass."""
    name = column_name.lower()
    if name.endswith("_hash"):
        return False
    return bool(PERSONAL_TOKENS & set(name.split("_"))) or bool(PERSON_NAME.search(name))


@pytest.fixture(scope="module")
def manifest(dbt_manifest: dict[str, Any]) -> dict[str, Any]:
    """The session's fresh `dbt parse` manifest (tests/conftest.py)."""
    return dbt_manifest


@pytest.mark.parametrize(
    "column_name",
    [
        "full_name",
        "email",
        "contact_email",
        "technician_name",
        "employee_full_name",
        "first_name",
        "lastname",
        "phone_number",
        "manager_name_en",
    ],
)
def test_personal_names_are_recognised(column_name):
    assert looks_personal(column_name)


@pytest.mark.parametrize(
    "column_name",
    [
        "employee_name_hash",
        "email_hash",
        "contact_email_hash",
        "client_name",
        "campaign_name",
        "company_name",
        "kpi_name",
        "benchmark_kpi_name",
        "section_name_fr",
        "stage_name_en",
        "holiday_name",
        "employee_id",
    ],
)
def test_names_of_things_and_hashed_keys_pass(column_name):
    assert not looks_personal(column_name)


def test_marts_declare_no_personal_column(manifest):
    marts = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["package_name"] == "mspkpi"
        and node["original_file_path"].startswith("models/marts/")
    ]
    assert marts, "no mart found in the manifest"
    offenders = [
        f"{node['name']}.{column}"
        for node in marts
        for column in node["columns"]
        if looks_personal(column)
    ]
    assert offenders == [], "mart columns that look personal (hash them in staging):\n" + "\n".join(
        sorted(offenders)
    )
