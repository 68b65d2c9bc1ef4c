#!/usr/bin/env bash
# The OpenAPI document as the exact contract: runs schemathesis (`--checks all`) against
# `verzuim serve --demo` as each of the demo's verzuimcoordinator, leerplichtambtenaar, jeugdarts
# and beheerder, and fails on any failure. Called by .ci/run; see docs/testing.md.
#
# - schemathesis (pinned in tests/api/requirements.txt) is installed into tests/api/.venv when
#   missing;
# - the server is the debug binary the tests built (`VERZUIM_BIN` overrides), on a free port with
#   a fresh SQLite demo database per run;
# - each role logs in through `POST /api/auth/login`; schemathesis sends the session cookie as the
#   `sessie` security scheme (tests/api/schemathesis.toml) and `Origin` as a header;
# - the whole output of each role's run is in target/schemathesis/<user>.txt;
# - `SCHEMATHESIS_MAX_EXAMPLES` (default 25) limits the generated cases per operation, to keep
#   the run within a few minutes;
# - `POST /api/auth/logout` and `POST /api/auth/login` are left out: the first would end the
#   session the run depends on, the second counts failed logins (the throttle) — both have their
#   own tests (crates/server/tests/http/sessions.rs, throttle.rs).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

venv="$root/tests/api/.venv"
if [ ! -x "$venv/bin/schemathesis" ] ||
  ! "$venv/bin/pip" freeze 2>/dev/null | grep -qxF -f <(grep -v '^#' tests/api/requirements.txt); then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r tests/api/requirements.txt
fi

# The binary the test suite built (`cargo nextest run --workspace` builds target/debug/verzuim
# with the workspace's features; a `cargo build --bin verzuim` alone would build other features
# and recompile much of the tree), or one built now when there is none.
bin="${VERZUIM_BIN:-}"
if [ -z "$bin" ]; then
  bin="${CARGO_TARGET_DIR:-$root/target}/debug/verzuim"
  [ -x "$bin" ] || cargo build -q --bin verzuim
fi

work=$(mktemp -d)
# The full output of each role's run stays here.
out="${CARGO_TARGET_DIR:-$root/target}/schemathesis"
mkdir -p "$out"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" serve --demo --database "sqlite://$work/demo.db" --listen "127.0.0.1:$port" \
  --retention uit >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  curl -fsS "$base/api/openapi.json" -o "$work/openapi.json" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done

password="demo-wachtwoord-2026"
status=0
summary=""
for who in coordinator@obs-de-esch.example leerplicht@enschede.example \
  jgz@ggd-twente.example beheer@obs-de-esch.example; do
  cookie=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' -H "Origin: $base" \
    -d "{\"email\":\"$who\",\"password\":\"$password\"}" "$base/api/auth/login" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(verzuim_sessie=[^;]*\).*/\1/p' | head -n 1)
  if [ -z "$cookie" ]; then
    echo "schemathesis: inloggen als $who mislukt" >&2
    exit 1
  fi
  export VERZUIM_SESSIE="${cookie#verzuim_sessie=}"
  if [ "$who" = beheer@obs-de-esch.example ]; then
    # The beheerder sets up a second factor first (RFC 6238, computed here as an authenticator
    # app would): the run may require one of the school's users
    # (`PUT /api/organisations/{org}/second-factor`), and then every user without one must set
    # it up before anything else (401), which would end the run's reach.
    secret=$(curl -fsS -X POST -H "Origin: $base" -b "$cookie" \
      "$base/api/auth/second-factor/enrolment" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"].replace(" ",""))')
    code=$(python3 - "$secret" <<'PY'
import base64, hashlib, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1].upper() + "=" * (-len(sys.argv[1]) % 8))
digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
offset = digest[-1] & 15
print("%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
)
    curl -fsS -o /dev/null -H 'Content-Type: application/json' -H "Origin: $base" -b "$cookie" \
      -d "{\"code\":\"$code\"}" "$base/api/auth/second-factor/enrolment/confirm" || {
      echo "schemathesis: de tweede factor van $who instellen mislukt" >&2
      exit 1
    }
  fi
  echo "== schemathesis als $who"
  set +e
  for attempt in 1 2; do
    "$venv/bin/schemathesis" --config-file tests/api/schemathesis.toml --no-color \
      run "$base/api/openapi.json" \
      --checks all \
      --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
      --seed "${SCHEMATHESIS_SEED:-20261202}" \
      --workers 1 --generation-database none \
      --exclude-path /api/auth/logout --exclude-path /api/auth/login \
      -H "Origin: $base" \
      2>&1 | tee "$out/${who%%@*}.txt" | tail -n 40
    rc=${PIPESTATUS[0]}
    # CPython 3.11's ast.parse is not thread-safe (gh-106905): with two workers, hypothesis
    # describing a lambda crashed the tool itself ("AST constructor recursion depth mismatch",
    # once twice in a row for one role), a runtime error of schemathesis, not a finding about
    # the API. So one worker (the server still has the other core); should the crash come
    # anyway, the role runs once more, and any other failure, or the same crash twice, fails.
    if [ "$rc" -ne 0 ] && [ "$attempt" -eq 1 ] &&
      grep -q "AST constructor recursion depth mismatch" "$out/${who%%@*}.txt"; then
      echo "schemathesis: de tool zelf liep vast (CPython gh-106905); nog een keer als $who"
      continue
    fi
    break
  done
  set -e
  # The tail above shows the summary; a failure's details (the request, the response and a curl
  # line to reproduce it) are printed in full, so that a CI log alone says what failed.
  if [ "$rc" -ne 0 ]; then
    sed -n '/= FAILURES =/,/= SUMMARY =/p;/= ERRORS =/,/= SUMMARY =/p' "$out/${who%%@*}.txt"
  fi
  summary="$summary$who: exit $rc; $(grep -E '^[0-9]+ (passed|failed)|operations? tested|failures?|passed' "$out/${who%%@*}.txt" | tail -n 3 | tr '\n' ' ')\n"
  [ "$rc" -eq 0 ] || status=1
done
printf '%b' "$summary"
exit "$status"
