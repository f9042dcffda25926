#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432), Redis (127.0.0.1:6379) and MariaDB
# (127.0.0.1:3306) answer: starts installed servers, installs them (and the
# tools the tests use: openssl, xmllint) from Debian packages when missing and
# we are root, and says clearly what to do when it cannot.
set -u

PG_HOST=127.0.0.1 PG_PORT=5432 REDIS_PORT=6379 MYSQL_PORT=3306
say() { printf 'services: %s\n' "$*" >&2; }

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }
# ping answers even when the login is refused: the server is up.
mysql_up() { mariadb-admin --protocol=TCP -h 127.0.0.1 -P "$MYSQL_PORT" -u root ping >/dev/null 2>&1; }
mysql_root() { mariadb --protocol=TCP -h 127.0.0.1 -P "$MYSQL_PORT" -u root -e 'select 1' >/dev/null 2>&1; }

install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "$1 is not installed and I cannot install it (need root and apt-get): install $2 and run make test again"
    exit 1
  fi
  say "installing $2 from Debian packages…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1; } ||
    { say "apt-get install $2 failed"; exit 1; }
}

wait_for() { # name, check, seconds
  for _ in $(seq 1 "$3"); do "$2" && return 0; sleep 1; done
  say "$1 did not answer within $3 s"; exit 1
}

if ! pg_up; then
  command -v pg_ctlcluster >/dev/null || install PostgreSQL postgresql
  ver=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
  if [ -z "$ver" ]; then say "no PostgreSQL cluster found in /etc/postgresql"; exit 1; fi
  say "starting PostgreSQL $ver…"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start >/dev/null 2>&1 || true
  wait_for PostgreSQL pg_up 30
  # Tests connect as postgres without a password, as CI services do.
  if ! psql -h "$PG_HOST" -U postgres -c 'select 1' >/dev/null 2>&1; then
    hba=$(ls /etc/postgresql/"$ver"/main/pg_hba.conf)
    sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/; s/^(host\s+all\s+all\s+::1\/128\s+)\S+/\1trust/; s/^(local\s+all\s+(postgres|all)\s+)\S+/\1trust/' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main reload >/dev/null 2>&1
  fi
fi
pg_up || { say "PostgreSQL does not answer on $PG_HOST:$PG_PORT"; exit 1; }

if ! redis_up; then
  command -v redis-server >/dev/null || install Redis redis-server
  say "starting Redis…"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /tmp --logfile /tmp/stairway-redis.log >/dev/null 2>&1 || true
  wait_for Redis redis_up 15
fi
if ! mysql_up; then
  command -v mariadbd >/dev/null || install MariaDB mariadb-server
  say "starting MariaDB…"
  [ -x /etc/init.d/mariadb ] && /etc/init.d/mariadb start >/dev/null 2>&1
  if ! mysql_up; then
    # No init script that works here (a container): the server itself, as the mysql user.
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
    (setsid mariadbd --user=mysql >/tmp/stairway-mariadb.log 2>&1 &)
  fi
  wait_for MariaDB mysql_up 30
fi
# Tests connect as root without a password on 127.0.0.1, as CI services do;
# Debian's root logs in only through the socket (unix_socket) until told otherwise.
if ! mysql_root; then
  if [ "$(id -u)" = 0 ]; then
    mariadb -u root -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION" >/dev/null 2>&1
  fi
  mysql_root || { say "MariaDB refuses root without a password on 127.0.0.1:$MYSQL_PORT: allow it, or set STAIRWAY_MYSQL_URL"; exit 1; }
fi
# The TLS tests make their own certificate authority.
command -v openssl >/dev/null || install openssl openssl
# The report test checks junit.xml with xmllint (a failure, not a skip, without it).
command -v xmllint >/dev/null || install xmllint libxml2-utils
say "PostgreSQL, Redis and MariaDB answer"
