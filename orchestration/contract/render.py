"""Files derived from the extract contract: the dbt sources yml of each system and docs/extracts.md.

Pure functions from a `Contract` to text, plus `write_derived_files` / `check_derived_files` behind
`mspkpi contract --write|--check`. The derived files are committed (dbt and readers need them
without running Python); `tests/test_contract_derived.py` fails when they drift from extracts.yml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from orchestration.contract import Column, Contract, Entity, load_contract

CONTRACT_FILE = "orchestration/contract/extracts.yml"
DOC_PATH = Path("docs/extracts.md")
STAGING_DIR = Path("models/staging")

# Freshness of every raw table, from the `_loaded_at` the loader stamps: a daily export is expected.
FRESHNESS = {
    "warn_after": {"count": 2, "period": "day"},
    "error_after": {"count": 7, "period": "day"},
}

# The column types of the raw tables the loader writes (DuckDB names).
RAW_TYPES = {
    "id": "varchar",
    "text": "varchar",
    "cur": "varchar",
    "enum": "varchar",
    "hhmm": "varchar",
    "ts": "timestamp",
    "date": "date",
    "int": "bigint",
    "dec": "decimal(18,4)",
    "bool": "boolean",
}

# What each contract type accepts in a file (docs/extracts.md).
TYPE_RULES = {
    "id": "Text identifier, compared exactly (keep leading zeros).",
    "text": "Free text.",
    "ts": "ISO-8601 timestamp, e.g. `2026-11-21T14:05:00+01:00` or `...Z`; without an offset it "
    "is read in `MSPKPI_SOURCE_TIMEZONE` (default UTC). Stored in UTC.",
    "date": "`YYYY-MM-DD`.",
    "int": "Whole number.",
    "dec": "Decimal number with `.` as the decimal separator, no thousands separator.",
    "bool": "`true`/`false`, `1`/`0` or `yes`/`no` (any case).",
    "cur": "ISO-4217 currency code (`EUR`, `USD` ...), any case; stored upper-case.",
    "enum": "One of the listed values, any case; stored lower-case.",
    "hhmm": "Time of day `HH:MM`, `00:00` to `24:00` (`24:00` = midnight at the end of the day).",
}

# Columns the loader adds to every raw table.
LINEAGE_COLUMNS = (
    ("_source_file", "varchar", "File the row was loaded from, relative to the raw directory."),
    ("_source_line", "bigint", "Line of the row in its file (row number for Parquet)."),
    ("_loaded_at", "timestamp", "When the loader appended the row (UTC); drives source freshness."),
    (
        "_delivery_id",
        "bigint",
        "The delivery (one file) the row came from, increasing in load order.",
    ),
)


def sources_yml_path(system: str) -> Path:
    """`models/staging/psa/_psa__sources.yml`, relative to the project root."""
    return STAGING_DIR / system / f"_{system}__sources.yml"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?", ")")) else f"{text}."


def _range(column: Column) -> str:
    def number(value: float) -> str:
        return f"{value:g}"

    if column.min is not None and column.max is not None:
        return f"{number(column.min)} to {number(column.max)}"
    if column.min is not None:
        return f">= {number(column.min)}"
    if column.max is not None:
        return f"<= {number(column.max)}"
    return ""


def column_description(column: Column) -> str:
    """The contract description, then type, allowed values, range, required and PII notes."""
    parts = [_sentence(column.description), f"Type {column.type}."]
    if column.values:
        parts.append(f"Allowed: {', '.join(column.values)}.")
    if _range(column):
        parts.append(f"Range {_range(column)}.")
    parts.append("Required (NOT NULL)." if column.required else "Optional (empty = null).")
    if column.pii:
        parts.append("PII: hashed in staging, never reaches a mart.")
    return " ".join(parts)


def table_description(entity: Entity) -> str:
    parts = [_sentence(entity.description), f"Key: {', '.join(entity.primary_key)}."]
    if entity.updated_at:
        parts.append(
            f"Append-only: a key has one row per delivered version; the latest {entity.updated_at} "
            "wins in staging."
        )
    else:
        parts.append("Append-only: the row of the latest delivery of a key wins in staging.")
    parts.append(f"Landing folder `{entity.key}/`.")
    return " ".join(parts)


def _source_column(column: Column) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": column.name,
        "description": column_description(column),
        "data_type": RAW_TYPES[column.type],
    }
    # a required column is NOT NULL in the raw table (orchestration/ingest/schema.py): no
    # `not_null` data test, which would re-read the raw table in every build
    return spec


def sources_document(contract: Contract, system: str) -> dict[str, Any]:
    """The dbt sources properties of one system, as a YAML-ready mapping."""
    tables = []
    for entity in contract.entities:
        if entity.system != system:
            continue
        columns = [_source_column(column) for column in entity.columns]
        columns += [
            {"name": name, "description": description, "data_type": data_type}
            for name, data_type, description in LINEAGE_COLUMNS
        ]
        tables.append(
            {"name": entity.raw_table, "description": table_description(entity), "columns": columns}
        )
    source = {
        "name": system,
        "description": _sentence(contract.systems[system])
        + " Raw tables written by the loader (orchestration/ingest) from the extract files.",
        "schema": "raw",
        "loader": "mspkpi ingest (orchestration/ingest)",
        "config": {"loaded_at_field": "_loaded_at", "freshness": FRESHNESS},
        "tables": tables,
    }
    return {"version": 2, "sources": [source]}


class _IndentedDumper(yaml.SafeDumper):
    """Indents lists under their key, the style of the hand-written yml."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _dump(document: dict[str, Any]) -> str:
    return yaml.dump(
        document,
        Dumper=_IndentedDumper,
        sort_keys=False,
        allow_unicode=True,
        width=1000,
        default_flow_style=False,
    )


def render_sources_yml(contract: Contract, system: str) -> str:
    header = (
        f"# Generated from {CONTRACT_FILE} by `mspkpi contract --write`: do not edit by hand,\n"
        "# edit the contract and regenerate (tests/test_contract_derived.py fails when stale).\n"
    )
    return header + _dump(sources_document(contract, system))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _entity_section(entity: Entity) -> list[str]:
    lines = [
        f"### `{entity.key}`",
        "",
        _sentence(entity.description),
        "",
        f"- Folder: `<raw_dir>/{entity.key}/`; raw table `raw.{entity.raw_table}`.",
        f"- Key: {', '.join(f'`{name}`' for name in entity.primary_key)} (unique within a file).",
    ]
    if entity.updated_at:
        lines.append(
            f"- Versioned by `{entity.updated_at}`: send every changed row again; the latest "
            f"`{entity.updated_at}` of a key wins (ties: the later delivery)."
        )
    else:
        lines.append("- Not versioned: a key delivered again replaces the earlier row.")
    for check in entity.checks:
        lines.append(f"- Row rule `{check.name}`: `{check.sql}` (else rejected: {check.reason}).")
    lines += [
        "",
        "| column | type | required | allowed values / range | PII | description |",
        "|---|---|---|---|---|---|",
    ]
    for column in entity.columns:
        allowed = ", ".join(f"`{value}`" for value in column.values) or _range(column)
        lines.append(
            f"| `{column.name}` | {column.type} | {'yes' if column.required else ''} | "
            f"{_cell(allowed)} | {'yes' if column.pii else ''} | {_cell(column.description)} |"
        )
    lines.append("")
    return lines


def render_extracts_doc(contract: Contract) -> str:
    """docs/extracts.md: what to drop where, the type rules and every entity's columns."""
    lines = [
        "<!-- Generated from orchestration/contract/extracts.yml by `mspkpi contract --write`: "
        "do not edit by hand. -->",
        "",
        "# The extract contract",
        "",
        "What to drop into the landing folder so that the warehouse can load it. Map each "
        "export of your PSA, CRM, HR and survey tools to the files below once; "
        "`mspkpi validate --raw-dir DIR` checks a folder without loading anything.",
        "",
        f"Contract version {contract.version}. A column may be added to an entity; no name below "
        "changes without a migration note.",
        "",
        "## Files and deliveries",
        "",
        "- Layout: `<raw_dir>/<system>/<entity>/<any-name>.csv` (also `.csv.gz` and `.parquet`), "
        "e.g. `raw/psa/tickets/2026-11-21.csv`. Each file is one delivery.",
        "- Files are loaded once each, an entity's files in name order (entities load side by "
        "side, each with its own increasing delivery ids). Re-delivering a file with the same "
        "content (same bytes, whatever its name) is a no-op.",
        "- CSV: UTF-8 (a BOM is accepted; a Windows-1252 / Latin-1 export is detected and read as "
        "such; UTF-16 is refused), comma separated (a file separated by `;`, tabs or `|` is "
        'refused, naming the delimiter), one header row, `"` quoting, every line ending with a '
        "line break (a last line without one is rejected as possibly cut short); an empty field "
        "is null. Header names are matched case-insensitively; extra columns are kept in the raw "
        "table, never an error. An empty file (or a header only) is an empty delivery.",
        "- Timestamps more than 24 hours after the load are rejected as in the future.",
        "- Versioned entities carry `updated_at`: send a row again whenever it changes; the latest "
        "version of a key wins (ties: the later delivery, then the later line). Entities without "
        "`updated_at` keep the row of the latest delivery of each key.",
        "- A row that breaks the contract (bad type, missing required value, unknown value, "
        "value out of range, duplicate key within one file, broken row rule) is rejected with "
        "file, line, column and reason into `raw._rejects`; the rest of the file loads. A file "
        "missing a required column is rejected whole, with a message naming the column.",
        "- Every delivery is audited in `raw._load_audit`: rows loaded + rows rejected = rows "
        "received.",
        "- Personal data (columns marked PII) is loaded into the raw layer only; staging replaces "
        "it with a salted hash (`MSPKPI_PII_SALT`) and no mart ever holds it.",
        "",
        "## Types",
        "",
        "| type | in the file | in the raw table |",
        "|---|---|---|",
    ]
    for type_name, rule in TYPE_RULES.items():
        lines.append(f"| {type_name} | {_cell(rule)} | `{RAW_TYPES[type_name]}` |")
    lines += [
        "",
        "Every raw table also has the lineage columns the loader adds:",
        "",
        "| column | type | description |",
        "|---|---|---|",
    ]
    for name, data_type, description in LINEAGE_COLUMNS:
        lines.append(f"| `{name}` | `{data_type}` | {description} |")
    lines.append("")
    for system, description in contract.systems.items():
        lines += [f"## {system}", "", _sentence(description), ""]
        for entity in contract.entities:
            if entity.system == system:
                lines += _entity_section(entity)
    return "\n".join(lines).rstrip("\n") + "\n"


def derived_files(contract: Contract | None = None) -> dict[Path, str]:
    """Every derived file, path relative to the project root -> expected content."""
    contract = contract or load_contract()
    files = {
        sources_yml_path(system): render_sources_yml(contract, system)
        for system in contract.systems
    }
    files[DOC_PATH] = render_extracts_doc(contract)
    return files


def write_derived_files(root: Path, contract: Contract | None = None) -> list[Path]:
    """Write the derived files under `root` that are missing or stale; return the paths written."""
    written = []
    for relative, content in derived_files(contract).items():
        path = root / relative
        if path.exists() and path.read_text(encoding="utf-8") == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


def check_derived_files(root: Path, contract: Contract | None = None) -> list[str]:
    """Relative paths (posix) of the derived files under `root` that are missing or stale."""
    stale = []
    for relative, content in derived_files(contract).items():
        path = root / relative
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            stale.append(relative.as_posix())
    return stale
