#!/usr/bin/env bash
# sessiond.sh: ctest fixture: start an LTTng session daemon only when none is alive; stop only the one it started, by pid.
#   sessiond.sh start STATEFILE   # writes the pid it started, or "reused"
#   sessiond.sh stop STATEFILE    # stops that pid (never any other daemon)
set -euo pipefail
cmd=${1:?start|stop}
state=${2:?state file}

# As root LTTng always uses the global daemon (LTTNG_HOME is ignored).
if [ "$(id -u)" = 0 ]; then
  pidfile=/var/run/lttng/lttng-sessiond.pid
else
  pidfile="${LTTNG_HOME:-$HOME}/.lttng/lttng-sessiond.pid"
fi

alive() { lttng list >/dev/null 2>&1; }

case "$cmd" in
start)
  if alive; then
    echo reused > "$state"
    echo "session daemon already running: reusing it"
    exit 0
  fi
  lttng-sessiond --daemonize --no-kernel
  for _ in $(seq 50); do alive && break; sleep 0.1; done
  alive || { echo "lttng-sessiond did not come up" >&2; exit 1; }
  pid=$(cat "$pidfile")
  echo "$pid" > "$state"
  echo "started lttng-sessiond (pid $pid)"
  ;;
stop)
  [ -f "$state" ] || exit 0
  pid=$(cat "$state")
  rm -f "$state"
  [ "$pid" = reused ] && exit 0
  kill -TERM "$pid" 2>/dev/null || exit 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "lttng-sessiond $pid did not stop; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  echo "stopped lttng-sessiond (pid $pid)"
  ;;
*) echo "usage: $0 start|stop STATEFILE" >&2; exit 2 ;;
esac
