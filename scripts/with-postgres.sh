#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster: initdb in a temporary directory,
# start it on a free loopback port, export DATABASE_URL, run the command, stop and delete the
# cluster whatever happens. PostgreSQL refuses to run as root, so as root the cluster runs as
# the `postgres` system user.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "error: PostgreSQL server binaries not found under /usr/lib/postgresql; run 'make system-deps'" >&2
  exit 1
fi

datadir=$(mktemp -d -t lowdose-pg.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$datadir"
  as_owner=(runuser -u postgres --)
fi

cleanup() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$datadir/data" -m immediate stop > /dev/null 2>&1 || true
  rm -rf "$datadir"
}
trap cleanup EXIT INT TERM

"${as_owner[@]}" "$bindir/initdb" -D "$datadir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 > "$datadir/initdb.log" 2>&1 \
  || { cat "$datadir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bindir/pg_ctl" -D "$datadir/data" -l "$datadir/server.log" -w -t 60 \
  -o "-p $port -k $datadir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start > /dev/null || { cat "$datadir/server.log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
# With DATABASE_URL set the settings require a secret key (shared by every app server); the
# throwaway cluster gets a throwaway key unless one is given.
export LOWDOSE_SECRET_KEY="${LOWDOSE_SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')}"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (throwaway)"
"$@"
