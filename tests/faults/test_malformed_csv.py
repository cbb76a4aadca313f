"""Malformed CSV: bad quoting, a wrong delimiter, a truncated last line, huge values.

Each test delivers one bad input (tests/faults/extracts.py) on top of the small sample's raw
warehouse and asserts what the warehouse holds afterwards: the audit row (loaded + rejected =
received), the rejects (file, line, column, value, reason), the raw tables' row counts (only the
valid rows added, nothing else changed) and the operator message.
"""

from __future__ import annotations

from tests.faults.conftest import FaultWarehouse
from tests.faults.extracts import BAD_INPUTS, HUGE_COMMENT_CHARS, OVERSIZED_COMMENT_CHARS

BAD_QUOTING = (
    "malformed line: bad quoting (a value that contains a double quote must be in double "
    "quotes, with the quote doubled)"
)
TRUNCATED = (
    "the file does not end with a line break, so its last line may be cut short (an export or "
    "copy interrupted); it is not loaded: deliver the complete file, whose last line ends with a "
    "line break"
)


def deliver(warehouse: FaultWarehouse, case: str) -> dict[str, int]:
    """Deliver the case's files; return the raw row counts from before."""
    before = warehouse.raw_counts()
    warehouse.deliver(BAD_INPUTS[case].files())
    return before


def test_a_stray_quote_rejects_its_line_only(warehouse: FaultWarehouse) -> None:
    before = deliver(warehouse, "bad_quoting")

    file = "psa/tickets/2026-11-02-bad-quoting.csv"
    assert warehouse.new_audit() == [(file, "loaded", 3, 2, 1)]
    # line 3 is FQ2, whose status `"Waiting on" client` goes on after its closing quote
    assert warehouse.rejects(file) == [(3, "status", None, BAD_QUOTING)]
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 2}
    assert warehouse.query(
        "select ticket_id, status, _source_line from raw.psa__tickets where _source_file = ? "
        "order by 1",
        [file],
    ) == [("FQ1", "Resolved", 2), ("FQ3", 'Waiting "on" client', 4)]
    assert warehouse.message(file) == (
        f"{file}: 1 of 3 rows rejected (first at line 3, column 'status': {BAD_QUOTING}); the "
        f"other 2 rows are loaded. See raw._rejects where delivery_id = {warehouse.before + 1}, "
        "fix the rows in the source and deliver them again"
    )


def test_an_unclosed_quote_swallows_the_rest_of_the_file_into_one_reject(
    warehouse: FaultWarehouse,
) -> None:
    before = deliver(warehouse, "unclosed_quote")

    file = "psa/tickets/2026-11-02-unclosed-quote.csv"
    # FU1 loads; FU2's quote runs to the end of the file: lines 3-5 are one malformed record
    assert warehouse.new_audit() == [(file, "loaded", 2, 1, 1)]
    [(line, column, value, reason)] = warehouse.rejects(file)
    assert (line, column, value) == (3, "status", None)
    assert reason == (
        f"{BAD_QUOTING}; the quote is never closed, so the next 2 line(s) were read as part of "
        "this value"
    )
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 1}


def test_an_unquoted_comma_gives_a_line_with_one_field_too_many(
    warehouse: FaultWarehouse,
) -> None:
    before = deliver(warehouse, "unquoted_comma")

    file = "psa/tickets/2026-11-02-unquoted-comma.csv"
    assert warehouse.new_audit() == [(file, "loaded", 2, 1, 1)]
    assert warehouse.rejects(file) == [
        (2, None, None, "malformed line: 13 fields instead of 12 (a value that contains a comma "
                        "must be in double quotes)"),
    ]  # fmt: skip
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 1}


def test_a_semicolon_separated_file_is_refused_naming_the_delimiter(
    warehouse: FaultWarehouse,
) -> None:
    before = deliver(warehouse, "semicolons")

    file = "psa/agreements/2026-11-02-semicolons.csv"
    assert warehouse.new_audit() == [(file, "refused", 3, 0, 3)]
    refused = "file refused: the header (line 1) is separated by semicolons (';'), not by commas"
    # read with commas, '1200,50' splits line 2 (and '450,00' line 4) into two fields: those lines
    # keep that reason, the refusal is in the audit message
    assert warehouse.rejects(file) == [
        (2, None, None, "malformed line: 2 fields instead of 1 (a value that contains a comma "
                        "must be in double quotes)"),
        (3, None, None, refused),
        (4, None, None, "malformed line: 2 fields instead of 1 (a value that contains a comma "
                        "must be in double quotes)"),
    ]  # fmt: skip
    assert warehouse.message(file) == (
        f"{file}: the header (line 1) is separated by semicolons (';'), not by commas; nothing "
        "was loaded from this file: export it as comma-separated CSV and deliver the file again"
    )
    assert warehouse.raw_counts() == before


def test_a_tab_separated_file_is_refused_naming_the_delimiter(
    warehouse: FaultWarehouse,
) -> None:
    before = deliver(warehouse, "tabs")

    file = "psa/tickets/2026-11-02-tabs.csv"
    assert warehouse.new_audit() == [(file, "refused", 2, 0, 2)]
    refused = "file refused: the header (line 1) is separated by tabs, not by commas"
    assert warehouse.rejects(file) == [(2, None, None, refused), (3, None, None, refused)]
    assert warehouse.raw_counts() == before


def test_a_last_line_cut_inside_a_value_is_rejected_not_loaded_wrong(
    warehouse: FaultWarehouse,
) -> None:
    before = deliver(warehouse, "truncated_in_a_value")

    file = "psa/tickets/2026-11-02-truncated-value.csv"
    # '2026-10-20T15:00:00' is a valid timestamp, but two hours off the cut '+02:00' value
    assert warehouse.new_audit() == [(file, "loaded", 3, 2, 1)]
    assert warehouse.rejects(file) == [(4, "updated_at", "2026-10-20T15:00:00", TRUNCATED)]
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 2}
    assert warehouse.query(
        "select ticket_id from raw.psa__tickets where _source_file = ? order by 1", [file]
    ) == [("FR1",), ("FR2",)]
    [(record,)] = warehouse.query("select record from raw._rejects where file = ?", [file])
    assert '"ticket_id":"FR3"' in record


def test_a_last_line_cut_between_fields_says_so(warehouse: FaultWarehouse) -> None:
    before = deliver(warehouse, "truncated_between_fields")

    file = "psa/tickets/2026-11-02-truncated-fields.csv"
    assert warehouse.new_audit() == [(file, "loaded", 2, 1, 1)]
    assert warehouse.rejects(file) == [
        (3, None, None, "malformed line: 4 fields instead of 12; the file does not end with a "
                        "line break: this line may be cut short (an export or copy interrupted); "
                        "it is not loaded: deliver the complete file, whose last line ends with "
                        "a line break"),
    ]  # fmt: skip
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 1}


def test_a_huge_text_value_loads_whole(warehouse: FaultWarehouse) -> None:
    before = deliver(warehouse, "huge_text_field")

    file = "surveys/csat_responses/2026-11-02-huge-field.csv"
    assert warehouse.new_audit() == [(file, "loaded", 2, 2, 0)]
    assert warehouse.query(
        "select response_id, length(comment), _source_line from raw.surveys__csat_responses "
        "where _source_file = ? order by 1",
        [file],
    ) == [("FH1", HUGE_COMMENT_CHARS, 2), ("FH2", 4, 3)]
    assert warehouse.raw_counts() == {
        **before,
        "surveys__csat_responses": before["surveys__csat_responses"] + 2,
    }


def test_a_line_over_the_limit_is_rejected_with_its_size(warehouse: FaultWarehouse) -> None:
    before = deliver(warehouse, "oversized_line")

    file = "surveys/csat_responses/2026-11-02-oversized-line.csv"
    # DuckDB's size of a line leaves its line break out
    line_bytes = len("FO1,T00000258,2026-10-21T10:00:00Z,5,") + OVERSIZED_COMMENT_CHARS
    assert warehouse.new_audit() == [(file, "loaded", 2, 1, 1)]
    assert warehouse.rejects(file) == [
        (2, None, None, f"malformed line: {line_bytes} bytes, over the limit of 8388608 bytes "
                        "(8 MiB) per line: a value is far too long; shorten it in the source "
                        "system and deliver the row again"),
    ]  # fmt: skip
    # the reject keeps the start of the line, not 9 MB
    [(record_length,)] = warehouse.query(
        "select length(record) from raw._rejects where file = ?", [file]
    )
    assert record_length <= 10_000
    assert warehouse.raw_counts() == {
        **before,
        "surveys__csat_responses": before["surveys__csat_responses"] + 1,
    }
