#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers at AMQP_URL (default amqp://guest:guest@127.0.0.1:5672/):
# reuse a reachable one, else start an installed rabbitmq-server, else install it from
# Debian's packages when running as root, else say what to do.
set -euo pipefail

url="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}"
hostport="${url#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$hostport" ] && port=5672

reachable() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

if reachable; then exit 0; fi
if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
  echo "RabbitMQ is not reachable at $host:$port (AMQP_URL). Start it there, or unset AMQP_URL to run one locally." >&2
  exit 1
fi
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing rabbitmq-server from Debian's packages..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq rabbitmq-server >/dev/null
  else
    echo "RabbitMQ is not installed. Install it (sudo apt-get install rabbitmq-server) or point AMQP_URL at a broker." >&2
    exit 1
  fi
fi
echo "Starting rabbitmq-server..." >&2
if [ "$(id -u)" = "0" ] || [ "$(id -un)" = "rabbitmq" ]; then
  rabbitmq-server -detached >/dev/null 2>&1 || true
else
  echo "rabbitmq-server is installed but not running; start it (sudo service rabbitmq-server start) or set AMQP_URL." >&2
  exit 1
fi
for _ in $(seq 1 120); do
  if reachable && rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "rabbitmq-server did not come up within two minutes; see /var/log/rabbitmq/." >&2
exit 1
