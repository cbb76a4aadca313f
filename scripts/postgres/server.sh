#!/usr/bin/env bash
# A throwaway PostgreSQL server for the `postgres` dbt target: on localhost, its own port, its own
# data folder, no system service touched. CI machines have no PostgreSQL server, so the project
# starts its own (the tests do it through this script too).
#
#   scripts/postgres/server.sh start     install the binaries if missing, create the cluster, the
#                                        user and the database if missing, start; idempotent
#   scripts/postgres/server.sh stop      stop the server (the data folder is kept)
#   scripts/postgres/server.sh status    exit 0 when the server of the data folder is running
#   scripts/postgres/server.sh destroy   stop it and delete the data folder
# Exit status: 0 done, 1 failed (the message says why), 3 `status` of a stopped server, 4 PostgreSQL
# is not installed and cannot be installed here.
#
# Settings (environment, defaults in brackets):
#   MSPKPI_PG_PORT [5433]  MSPKPI_PG_USER [mspkpi]  MSPKPI_PG_PASSWORD [mspkpi]
#   MSPKPI_PG_DATABASE [mspkpi]  MSPKPI_PG_DATA_DIR [data/postgres, relative to the project]
#   MSPKPI_PG_BIN_DIR [the newest /usr/lib/postgresql/*/bin, else the directory of pg_ctl]
# The server listens on localhost only. The user is the cluster's superuser; password login over
# TCP (scram-sha-256), trust over the Unix socket of the data folder (only its owner reaches it).
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${MSPKPI_PG_PORT:-5433}"
PG_USER="${MSPKPI_PG_USER:-mspkpi}"
PG_PASSWORD="${MSPKPI_PG_PASSWORD:-mspkpi}"
PG_DATABASE="${MSPKPI_PG_DATABASE:-mspkpi}"
HOME_DIR="${MSPKPI_PG_DATA_DIR:-data/postgres}"
[[ "$HOME_DIR" = /* ]] || HOME_DIR="$PROJECT_DIR/$HOME_DIR"
CLUSTER_DIR="$HOME_DIR/cluster"
SOCKET_DIR="$HOME_DIR/run"
LOG_FILE="$HOME_DIR/server.log"

say() { echo "postgres: $*" >&2; }
die() { say "$*"; exit 1; }
# exit 4: PostgreSQL is not installed and cannot be (the tests skip on it, and only on it)
cannot_install() { say "$*"; exit 4; }

find_bin_dir() {
    if [[ -n "${MSPKPI_PG_BIN_DIR:-}" ]]; then
        echo "$MSPKPI_PG_BIN_DIR"
        return
    fi
    local newest
    newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$newest" && -x "$newest/pg_ctl" ]]; then
        echo "$newest"
    elif command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
    fi
}

install_binaries() {
    local sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || cannot_install "PostgreSQL is not installed and this user cannot \
install it: run 'apt-get install -y postgresql' as root, or set MSPKPI_PG_BIN_DIR to the folder \
holding pg_ctl."
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null 2>&1 || cannot_install "PostgreSQL is not installed and apt-get is missing: \
install PostgreSQL >= 13 with your package manager, or set MSPKPI_PG_BIN_DIR to the folder \
holding pg_ctl."
    say "PostgreSQL is not installed: installing it with apt-get (about a minute)"
    export DEBIAN_FRONTEND=noninteractive
    # Debian and Ubuntu start a system cluster on 5432 on install; ours never uses it.
    "${sudo[@]}" apt-get update -qq >&2
    "${sudo[@]}" apt-get install -y -qq postgresql-15 >&2 \
        || "${sudo[@]}" apt-get install -y -qq postgresql >&2 \
        || cannot_install "apt-get could not install PostgreSQL (see above); install it by hand or set \
MSPKPI_PG_BIN_DIR."
}

BIN_DIR="$(find_bin_dir)"

# Run a PostgreSQL program as the owner of the cluster: initdb and postgres refuse to run as root.
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

is_running() {
    [[ -n "$BIN_DIR" && -f "$CLUSTER_DIR/PG_VERSION" ]] \
        && as_owner "$BIN_DIR/pg_ctl" -D "$CLUSTER_DIR" status >/dev/null 2>&1
}

psql_socket() {
    as_owner "$BIN_DIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U "$PG_USER" "$@"
}

sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

init_cluster() {
    say "creating the cluster in $CLUSTER_DIR (superuser $PG_USER)"
    mkdir -p "$HOME_DIR"
    if [[ "$(id -u)" -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "the postgres system user is missing: install the \
PostgreSQL server package (it creates it)."
        chown postgres: "$HOME_DIR"
        # the postgres user must reach the data folder from /
        as_owner test -w "$HOME_DIR" || die "the postgres user cannot write $HOME_DIR (a parent \
folder is not searchable by others): set MSPKPI_PG_DATA_DIR to a folder under /tmp."
    fi
    local password_file
    password_file="$(as_owner mktemp)"
    printf '%s\n' "$PG_PASSWORD" | as_owner tee "$password_file" >/dev/null
    as_owner "$BIN_DIR/initdb" -D "$CLUSTER_DIR" -U "$PG_USER" --pwfile="$password_file" \
        --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 \
        >"$HOME_DIR/initdb.log" 2>&1 || {
        cat "$HOME_DIR/initdb.log" >&2
        as_owner rm -f "$password_file"
        die "initdb failed in $CLUSTER_DIR (log above)"
    }
    as_owner rm -f "$password_file"
    as_owner mkdir -p "$SOCKET_DIR"
}

start() {
    if [[ -z "$BIN_DIR" ]]; then
        install_binaries
        BIN_DIR="$(find_bin_dir)"
        [[ -n "$BIN_DIR" ]] || die "PostgreSQL was installed but pg_ctl is not found: set \
MSPKPI_PG_BIN_DIR to the folder holding it."
    fi
    [[ -f "$CLUSTER_DIR/PG_VERSION" ]] || init_cluster
    if is_running; then
        say "already running (data $CLUSTER_DIR)"
    else
        as_owner mkdir -p "$SOCKET_DIR"
        # fsync off: a throwaway server whose data can always be rebuilt from the raw files
        as_owner "$BIN_DIR/pg_ctl" -D "$CLUSTER_DIR" -l "$LOG_FILE" -w -t 60 \
            -o "-p $PORT -k $SOCKET_DIR -c listen_addresses=localhost -c fsync=off" \
            -o "-c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC" \
            start >/dev/null || {
            tail -n 20 "$LOG_FILE" >&2 || true
            die "the server did not start on port $PORT (log above, $LOG_FILE). Is the port \
taken? Set MSPKPI_PG_PORT to a free one."
        }
    fi
    local port_in_use
    port_in_use="$(head -n 4 "$CLUSTER_DIR/postmaster.pid" | tail -n 1)"
    [[ "$port_in_use" == "$PORT" ]] || die "the server of $CLUSTER_DIR already runs on port \
$port_in_use, not $PORT: stop it first (scripts/postgres/server.sh stop with MSPKPI_PG_PORT=\
$port_in_use)."
    if [[ -z "$(psql_socket -d postgres -At -c \
        "select 1 from pg_database where datname = $(sql_literal "$PG_DATABASE")")" ]]; then
        psql_socket -d postgres -c "create database \"${PG_DATABASE//\"/\"\"}\""
    fi
    say "running on localhost:$PORT, database $PG_DATABASE, user $PG_USER (data $CLUSTER_DIR)"
}

stop() {
    if is_running; then
        as_owner "$BIN_DIR/pg_ctl" -D "$CLUSTER_DIR" -m fast -w stop >/dev/null
        say "stopped (data kept in $CLUSTER_DIR)"
    else
        say "not running (data $CLUSTER_DIR)"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status)
        if is_running; then say "running (data $CLUSTER_DIR)"; else
            say "not running (data $CLUSTER_DIR)"
            exit 3
        fi
        ;;
    destroy)
        stop
        rm -rf "$HOME_DIR"
        say "deleted $HOME_DIR"
        ;;
    *)
        echo "usage: $0 start|stop|status|destroy" >&2
        exit 2
        ;;
esac
