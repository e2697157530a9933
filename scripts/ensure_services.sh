#!/usr/bin/env bash
# Make sure PostgreSQL, Redis and RabbitMQ answer on their standard local ports, starting
# any that is down with the commands this machine image uses.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 1; done
  echo "ensure_services: $name did not come up on port $port" >&2
  return 1
}

if ! port_open 5432; then
  echo "ensure_services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  wait_port PostgreSQL 5432
fi
if ! port_open 6379; then
  echo "ensure_services: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port Redis 6379
fi
if ! port_open 5672; then
  echo "ensure_services: starting RabbitMQ"
  rabbitmq-server -detached
  wait_port RabbitMQ 5672
fi
# PostgreSQL may accept connections a moment before it accepts queries.
for _ in $(seq 1 30); do
  psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1" >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "ensure_services: PostgreSQL does not answer queries" >&2
exit 1
