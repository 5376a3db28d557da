#!/usr/bin/env bash
# Starts `npm start` in demo mode on a free port and waits for GET /health to answer 200.
set -euo pipefail
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
data=$(mktemp -d)
log=$(mktemp)
PORT=$port SYNC_DATA_DIR=$data npm start >"$log" 2>&1 &
pid=$!
trap 'kill -- -$pid 2>/dev/null || kill $pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
    curl -fsS "http://127.0.0.1:$port/health"; echo
    echo "health OK on port $port"
    exit 0
  fi
  sleep 0.5
done
echo "npm start did not answer /health within 60 s; its output:" >&2
cat "$log" >&2
exit 1
