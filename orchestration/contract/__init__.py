"""The extract contract (extracts.yml) as typed Python objects.

Everything that needs to know what an extract looks like (the loader, the sample generator, the
dbt sources yml and docs/extracts.md) reads it through `load_contract()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CONTRACT_PATH = Path(__file__).with_name("extracts.yml")

TYPES = ("id", "text", "ts", "date", "int", "dec", "bool", "cur", "enum", "hhmm")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False
    pii: bool = False
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class RowCheck:
    """A rule across columns: `sql` is a predicate that a valid row satisfies."""

    name: str
    sql: str
    column: str
    reason: str


@dataclass(frozen=True)
class Entity:
    system: str
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    updated_at: str | None = None
    checks: tuple[RowCheck, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        """`psa/tickets`: the entity's folder under the raw directory."""
        return f"{self.system}/{self.name}"

    @property
    def raw_table(self) -> str:
        """`psa__tickets`: the table in the `raw` schema."""
        return f"{self.system}__{self.name}"

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.key} has no column {name!r}")


@dataclass(frozen=True)
class Contract:
    version: int
    systems: dict[str, str]
    entities: tuple[Entity, ...]

    def entity(self, key: str) -> Entity:
        """Look an entity up by `system/name` or by raw table name `system__name`."""
        for entity in self.entities:
            if key in (entity.key, entity.raw_table):
                return entity
        raise KeyError(f"no entity {key!r} in the extract contract")


def _column(raw: dict) -> Column:
    if raw["type"] not in TYPES:
        raise ValueError(f"column {raw['name']}: unknown type {raw['type']!r}")
    if raw["type"] == "enum" and not raw.get("values"):
        raise ValueError(f"column {raw['name']}: an enum needs values")
    return Column(
        name=raw["name"],
        type=raw["type"],
        description=raw.get("description", ""),
        required=bool(raw.get("required", False)),
        pii=bool(raw.get("pii", False)),
        values=tuple(raw.get("values", ())),
        min=raw.get("min"),
        max=raw.get("max"),
    )


def parse_contract(document: dict) -> Contract:
    entities: list[Entity] = []
    systems: dict[str, str] = {}
    for system, body in document["systems"].items():
        systems[system] = body.get("description", "")
        for name, spec in body["entities"].items():
            columns = tuple(_column(c) for c in spec["columns"])
            names = {c.name for c in columns}
            entity = Entity(
                system=system,
                name=name,
                description=spec.get("description", ""),
                columns=columns,
                primary_key=tuple(spec["primary_key"]),
                updated_at=spec.get("updated_at"),
                checks=tuple(RowCheck(**check) for check in spec.get("checks", ())),
            )
            unknown = (set(entity.primary_key) | {entity.updated_at or ""}) - names - {""}
            if unknown:
                raise ValueError(f"{entity.key}: key columns not declared: {sorted(unknown)}")
            entities.append(entity)
    return Contract(version=document["version"], systems=systems, entities=tuple(entities))


@cache
def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    with open(path, encoding="utf-8") as handle:
        return parse_contract(yaml.safe_load(handle))
