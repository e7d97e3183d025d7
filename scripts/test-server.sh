# Starts a real ringside-server for the browser tests, on a free loopback port
# with a fresh database and short timeouts, and exports its addresses and
# tokens as RINGSIDE_TEST_*. Sourced by scripts/test; stop_test_server ends it.

start_test_server() {
  local bin=${RINGSIDE_SERVER_BIN:-target/debug/ringside-server}
  TEST_SERVER_DIR=$(mktemp -d)
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat > "$TEST_SERVER_DIR/config.toml" <<CONFIG
listen = "127.0.0.1:$port"
database = "$TEST_SERVER_DIR/ringside.db"
token_secret = "browser-tests-$(date +%s%N)"
allowed_origins = ["*"]
log_level = "warn"
web_root = "$PWD"
queues = ["support", "sales"]

[profile]
preset = "contact_center"
[profile.channels.voice]
offer_timeout_ms = 10000
[profile.channels.chat]
offer_timeout_ms = 10000
CONFIG
  "$bin" --config "$TEST_SERVER_DIR/config.toml" > "$TEST_SERVER_DIR/server.log" 2>&1 &
  TEST_SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$TEST_SERVER_DIR/server.log"; return 1; }
  token() { "$bin" --config "$TEST_SERVER_DIR/config.toml" token --user "$1" --role "$2"; }
  export RINGSIDE_TEST_HTTP="http://127.0.0.1:$port"
  export RINGSIDE_TEST_WS="ws://127.0.0.1:$port/ws"
  export RINGSIDE_TEST_SIM="http://127.0.0.1:$port/sim"
  export RINGSIDE_TEST_TOKEN_WEB1; RINGSIDE_TEST_TOKEN_WEB1=$(token web1 agent)
  export RINGSIDE_TEST_TOKEN_WEB2; RINGSIDE_TEST_TOKEN_WEB2=$(token web2 agent)
  export RINGSIDE_TEST_TOKEN_WEB3; RINGSIDE_TEST_TOKEN_WEB3=$(token web3 agent)
  export RINGSIDE_TEST_TOKEN_SUE; RINGSIDE_TEST_TOKEN_SUE=$(token sue supervisor)
  export RINGSIDE_TEST_TOKEN_ADMIN; RINGSIDE_TEST_TOKEN_ADMIN=$(token admin admin)
}

stop_test_server() {
  if [ -n "${TEST_SERVER_PID:-}" ]; then
    kill "$TEST_SERVER_PID" 2>/dev/null || true
    wait "$TEST_SERVER_PID" 2>/dev/null || true
    TEST_SERVER_PID=
  fi
}
