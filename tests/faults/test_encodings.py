"""Encodings: Latin-1 and Windows-1252 exports, a BOM, UTF-16, one pasted non-UTF-8 line.

What the warehouse holds afterwards: the text as the export meant it (accents, euro sign, curly
quotes), the encoding in the audit, and the operator message saying how the file was read.
"""

from __future__ import annotations

from tests.faults.conftest import FaultWarehouse
from tests.faults.extracts import BAD_INPUTS, CP1252_CAMPAIGNS, FRENCH_HOLIDAYS


def encoding(warehouse: FaultWarehouse, file: str) -> str | None:
    return warehouse.scalar("select encoding from raw._load_audit where file = ?", [file])


def read_as_windows_1252(file: str, table: str, delivery_id: int) -> str:
    return (
        f"{file}: not UTF-8: read as Windows-1252 (Latin-1), the usual encoding of spreadsheet "
        f"exports; check that accented letters look right in raw.{table} where _delivery_id = "
        f"{delivery_id}, else export the file as UTF-8"
    )


def test_a_latin1_file_loads_with_its_accents(warehouse: FaultWarehouse) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["latin1"].files())

    file = "psa/holidays/2026-11-02-latin1.csv"
    assert warehouse.new_audit() == [(file, "loaded", 3, 3, 0)]
    assert encoding(warehouse, file) == "windows-1252"
    assert warehouse.query(
        "select calendar_id, cast(holiday_date as varchar), name from raw.psa__holidays "
        "where _source_file = ? order by holiday_date",
        [file],
    ) == [tuple(row) for row in FRENCH_HOLIDAYS]
    assert warehouse.message(file) == read_as_windows_1252(
        file, "psa__holidays", warehouse.before + 1
    )
    assert warehouse.raw_counts() == {**before, "psa__holidays": before["psa__holidays"] + 3}


def test_a_windows_1252_file_keeps_its_euro_sign_and_curly_quotes(
    warehouse: FaultWarehouse,
) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["windows_1252"].files())

    file = "crm/campaigns/2026-11-02-windows-1252.csv"
    assert warehouse.new_audit() == [(file, "loaded", 2, 2, 0)]
    assert encoding(warehouse, file) == "windows-1252"
    # bytes 0x80 (euro), 0x92 (right quote), 0x96 (en dash): Latin-1 would give control codes
    assert warehouse.query(
        "select campaign_id, campaign_name, channel from raw.crm__campaigns "
        "where _source_file = ? order by 1",
        [file],
    ) == [tuple(row) for row in CP1252_CAMPAIGNS]
    assert warehouse.raw_counts() == {**before, "crm__campaigns": before["crm__campaigns"] + 2}


def test_a_utf8_bom_is_not_part_of_the_first_column_name(warehouse: FaultWarehouse) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["utf8_bom"].files())

    file = "psa/tickets/2026-11-02-bom.csv"
    assert warehouse.new_audit() == [(file, "loaded", 2, 2, 0)]
    assert encoding(warehouse, file) == "utf-8"
    assert warehouse.message(file) is None
    assert warehouse.query(
        "select ticket_id from raw.psa__tickets where _source_file = ? order by 1", [file]
    ) == [("FB1",), ("FB2",)]
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 2}


def test_a_utf16_export_is_refused_with_what_to_export_instead(
    warehouse: FaultWarehouse,
) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["utf16"].files())

    file = "psa/holidays/2026-11-02-utf16.csv"
    # refused before any row is read: nothing received, nothing rejected row by row
    assert warehouse.new_audit() == [(file, "refused", 0, 0, 0)]
    assert encoding(warehouse, file) == "utf-16"
    assert warehouse.message(file) == (
        f'{file}: the file is UTF-16 text (a spreadsheet\'s "Unicode text" export), not CSV; '
        'export it as "CSV UTF-8 (comma delimited)" and deliver it again'
    )
    assert warehouse.rejects(file) == []
    assert warehouse.raw_counts() == before


def test_one_pasted_latin1_line_in_a_utf8_file_rejects_that_line_only(
    warehouse: FaultWarehouse,
) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["stray_latin1_line"].files())

    file = "psa/holidays/2026-11-02-stray-latin1.csv"
    # 'Fête', 'août' and the last line's 'fériée' are UTF-8 (four sequences); the one Latin-1
    # 'é' byte is not: the file stays UTF-8, its accents stay right, and line 4 alone is rejected
    assert warehouse.new_audit() == [(file, "loaded", 4, 3, 1)]
    assert encoding(warehouse, file) == "utf-8"
    assert warehouse.rejects(file) == [
        (4, "name", None, "malformed line: not valid UTF-8, in a file that otherwise is (bytes "
                          "of another encoding pasted in?); fix the line in the source or export "
                          "the whole file as UTF-8"),
    ]  # fmt: skip
    assert warehouse.query(
        "select name from raw.psa__holidays where _source_file = ? order by holiday_date", [file]
    ) == [("Fête du Travail",), ("Assomption (15 août)",), ("Armistice (fériée)",)]
    assert warehouse.raw_counts() == {**before, "psa__holidays": before["psa__holidays"] + 3}
