"""A reader of the serving file in its own process, as a BI tool would be (not a test module).

python tests/serving_reader.py SERVING STOP_FILE REPORT held|reopen

`held` keeps one read-only connection for its whole life (a pooled connection); `reopen` opens a
new one every round (a client that reconnects). Each round reads every mart (row count and a hash
of every row). It prints "ready" after its first round and, once STOP_FILE exists, does one more
round and writes REPORT: rounds, errors, the distinct snapshots read, the file inodes it opened.
"""

from __future__ import annotations

import json
import os
import sys
import time

import duckdb


def snapshot(con: duckdb.DuckDBPyConnection) -> str:
    """Every mart's row count and sum of row hashes, as one comparable string."""
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name"
        ).fetchall()
    ]
    return json.dumps(
        {
            table: [
                str(value)
                for value in con.execute(
                    f'select count(*), sum(hash(t)) from marts."{table}" as t'
                ).fetchone()
            ]
            for table in tables
        },
        sort_keys=True,
    )


def snapshot_of(path: str) -> str:
    con = duckdb.connect(path, read_only=True)
    try:
        return snapshot(con)
    finally:
        con.close()


def main(path: str, stop: str, report: str, mode: str) -> None:
    reads, errors, snapshots, inodes = 0, [], {}, []
    held = None
    if mode == "held":
        inode = os.stat(path).st_ino
        held = duckdb.connect(path, read_only=True)
        inodes.append(inode if os.stat(path).st_ino == inode else None)
    while True:
        stopping = os.path.exists(stop)
        try:
            if held is not None:
                key = snapshot(held)
            else:
                inode = os.stat(path).st_ino
                con = duckdb.connect(path, read_only=True)
                try:
                    key = snapshot(con)
                finally:
                    con.close()
                if inode not in inodes:
                    inodes.append(inode)
            snapshots[key] = snapshots.get(key, 0) + 1
        except Exception as error:  # every failure is the finding: record it, keep reading
            errors.append(repr(error))
        reads += 1
        if reads == 1:
            print("ready", flush=True)
        if stopping:
            break
        time.sleep(0.2)  # leave the CPU to the run being observed
    with open(report, "w", encoding="utf-8") as out:
        json.dump({"reads": reads, "errors": errors, "snapshots": snapshots, "inodes": inodes}, out)


if __name__ == "__main__":
    main(*sys.argv[1:5])
