# Source this: installs PostgreSQL (Debian package) when missing, starts a throwaway server on a free
# loopback port in a temporary directory, exports STROM_TEST_POSTGRES_URL, and stops it on exit.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ]; then
  echo "ci: installing PostgreSQL (apt-get install postgresql)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
pg_dir=$(mktemp -d /tmp/strom-ci-pg.XXXXXX)
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg_user=$(id -un)
run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; pg_user=postgres; fi
run_pg "'$pg_bin/initdb' -D '$pg_dir/data' -A trust -U strom >/dev/null"
run_pg "'$pg_bin/pg_ctl' -D '$pg_dir/data' -l '$pg_dir/log' -w -o \"-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off\" start >/dev/null"
run_pg "'$pg_bin/createdb' -h 127.0.0.1 -p $pg_port -U strom strom_test"
export STROM_TEST_POSTGRES_URL="postgresql+psycopg://strom@127.0.0.1:$pg_port/strom_test"
trap "run_pg \"'$pg_bin/pg_ctl' -D '$pg_dir/data' -m immediate stop\" >/dev/null 2>&1; rm -rf '$pg_dir'" EXIT
echo "ci: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (user $pg_user runs it)"
