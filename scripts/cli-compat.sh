#!/usr/bin/env bash
# Compatibility check: the ORIGINAL OwlMetry CLI (github.com/owlmetry/owlmetry, apps/cli at commit 07a5cdf), unmodified,
# against this server — sign-in, whoami, projects, apps, events, and metrics/funnels create/list/view/update/query/delete.
#
# Usage:  scripts/cli-compat.sh <path-to-owlmetry-checkout>
#
# Getting a checkout (not vendored; nothing from it is copied into this repo):
#   git clone https://github.com/owlmetry/owlmetry /tmp/owlmetry && git -C /tmp/owlmetry checkout 07a5cdf
#   (or: git --git-dir=<bare mirror> archive 07a5cdf | tar -x -C /tmp/owlmetry)
#
# Needs node >= 20, npm with access to the npm registry on the first run (installs only the CLI's build/test tools,
# versions pinned as in the checkout's pnpm-lock.yaml: typescript, tsup, tsx, vitest, commander, chalk, cli-table3,
# @types/node), and a local PostgreSQL reachable as $PG_URL (a fresh database is created and dropped).
#
# Environment: PG_URL (default postgres://postgres@127.0.0.1:5432), PORT (default 4700), SKIP_BUILD=1 (use the
# existing dist/), KEEP=1 (leave the server running and the database in place), OWLMETRY_CLI_DEPS (where the CLI's
# tools are installed; default ~/.cache/owlmetry-cli-compat).
#
# What it runs:
#  1. the CLI's own integration test (apps/cli/src/__tests__/integration, the same vitest run as its
#     scripts/test-cli.sh, pointed at this server through OWLMETRY_TEST_ENDPOINT/_AGENT_KEY/_TEAM_ID);
#  2. the built CLI binary (apps/cli/dist/index.cjs) for auth send-code/verify, setup, whoami, projects, apps, events,
#     investigate, users, `metrics --project` and `funnels --project`;
#  3. the subcommands `metrics create|view|update|events|query|delete` and `funnels create|view|update|query|delete`.
#     At 07a5cdf the binary cannot parse these: `metrics`/`funnels` declare their own `--project`, Commander gives
#     the flag to the parent, and the subcommand then fails with "required option '--project <id>' not specified"
#     whatever the server (fixed upstream in 1388c56 "fix Commander.js parsing bug"). They are therefore run through
#     the CLI's own command objects (its handlers, HTTP client and formatters, unchanged) from a small harness that
#     only turns on Commander's positional options. The script checks that the binary still shows that parse error,
#     so a different failure would be noticed.
#  Deletes need a user session (SPEC §2.12.2, like the original: API keys get 403 "Only users can delete …"); the
#  script checks that 403 with the agent key and deletes with a session JWT passed as --api-key.
set -uo pipefail

OWL="${1:-}"
if [ -z "$OWL" ] || [ ! -d "$OWL/apps/cli/src" ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  echo "error: give the path of an owlmetry checkout (with apps/cli/src)" >&2
  exit 2
fi
OWL="$(cd "$OWL" && pwd)"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
PORT="${PORT:-4700}"
ENDPOINT="http://127.0.0.1:$PORT"
DEPS="${OWLMETRY_CLI_DEPS:-$HOME/.cache/owlmetry-cli-compat}"
WORK="$(mktemp -d /tmp/owl-cli-compat.XXXXXX)"
DB="owl_cli_compat_$$"
SERVER_PID=""
export NO_COLOR=1 FORCE_COLOR=0

cleanup() {
  if [ "${KEEP:-}" = 1 ]; then
    echo "KEEP=1: server pid $SERVER_PID on $ENDPOINT, database $DB, CLI HOME $WORK/home"
    return
  fi
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

if HEAD_COMMIT="$(git -C "$OWL" rev-parse --short=7 HEAD 2>/dev/null)"; then
  [ "$HEAD_COMMIT" = 07a5cdf ] || echo "note: $OWL is at $HEAD_COMMIT, not 07a5cdf (the version this check is written for)"
else
  echo "note: $OWL is not a git work tree; this check is written for commit 07a5cdf"
fi

# ---------------------------------------------------------------- build the CLI (no changes to its sources)
echo "=== CLI tools in $DEPS"
mkdir -p "$DEPS"
cat >"$DEPS/package.json" <<'EOF'
{"name":"owlmetry-cli-compat-deps","private":true,"devDependencies":{"@types/node":"25.4.0","chalk":"5.6.2",
"cli-table3":"0.6.5","commander":"13.1.0","tsup":"8.5.1","tsx":"4.21.0","typescript":"5.9.3","vitest":"4.0.18"}}
EOF
if [ ! -x "$DEPS/node_modules/.bin/tsup" ]; then
  (cd "$DEPS" && npm install --no-audit --no-fund --loglevel=error) || exit 1
fi
[ -e "$OWL/node_modules" ] || ln -s "$DEPS/node_modules" "$OWL/node_modules"
mkdir -p "$DEPS/node_modules/@owlmetry"
[ -e "$DEPS/node_modules/@owlmetry/shared" ] || ln -s "$OWL/packages/shared" "$DEPS/node_modules/@owlmetry/shared"
BIN="$OWL/node_modules/.bin"
echo "=== Building @owlmetry/shared and apps/cli"
(cd "$OWL/packages/shared" && "$BIN/tsc") || exit 1
(cd "$OWL/apps/cli" && "$BIN/tsup" >/dev/null) || exit 1

# ---------------------------------------------------------------- start this server on a fresh database
if [ "${SKIP_BUILD:-}" != 1 ]; then
  echo "=== Building the server"
  (cd "$ROOT" && npm run build >/dev/null) || { echo "server build failed" >&2; exit 1; }
fi
psql -q "$PG_URL/postgres" -c "CREATE DATABASE $DB" >/dev/null || exit 1
echo "=== Starting the server on $ENDPOINT (database $DB)"
(cd "$ROOT" && DATABASE_URL="$PG_URL/$DB" PORT="$PORT" JWT_SECRET=cli-compat exec env -u SMTP_URL node dist/src/main.js) \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do curl -sf "$ENDPOINT/health" >/dev/null && break; sleep 0.5; done
curl -sf "$ENDPOINT/health" >/dev/null || { tail -20 "$WORK/server.log"; echo "server did not start" >&2; exit 1; }

# ---------------------------------------------------------------- helpers
mkdir -p "$WORK/home"
export HOME="$WORK/home"
unset OWLMETRY_ENDPOINT OWLMETRY_API_KEY OWLMETRY_INGEST_ENDPOINT
CLI=(node "$OWL/apps/cli/dist/index.cjs")
cat >"$WORK/harness.mjs" <<'EOF'
// `owlmetry [global options] <metrics|funnels> …` through the CLI's own Commander command objects (handlers, client and
// formatters unchanged) with positional options on, so that a subcommand's --project reaches the subcommand.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const cliDir = process.env.OWLMETRY_CLI_DIR;
const argv = process.argv.slice(2);
const g = argv.findIndex((a) => a === 'metrics' || a === 'funnels');
const group = argv[g];
const { Command, Option } = createRequire(`${cliDir}/package.json`)('commander');
const { ApiError } = await import(pathToFileURL(`${cliDir}/src/client.ts`).href);
const sub = (await import(pathToFileURL(`${cliDir}/src/commands/${group}.ts`).href))[`${group}Command`];
const program = new Command().name('owlmetry').enablePositionalOptions()
  .addOption(new Option('--format <format>').choices(['table', 'json', 'log']).default('table'))
  .option('--endpoint <url>').option('--api-key <key>').option('--team <name-or-id>');
sub.enablePositionalOptions();
program.addCommand(sub);
// `metrics` itself requires --project: the parent gets a copy so that it does not fail before the subcommand runs.
const rest = argv.slice(g + 1);
const p = rest.indexOf('--project');
const parentArgs = group === 'metrics' && p > 0 && sub.commands.some((c) => c.name() === rest[0]) ? ['--project', rest[p + 1]] : [];
program.parseAsync([...argv.slice(0, g + 1), ...parentArgs, ...rest], { from: 'user' }).catch((err) => {
  const status = err instanceof ApiError ? err.status : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (program.opts().format === 'json') console.error(JSON.stringify(status ? { error: message, status } : { error: message }));
  else console.error(status ? `API error (${status}): ${message}` : message);
  process.exit(1);
});
EOF
SUB=(env OWLMETRY_CLI_DIR="$OWL/apps/cli" "$BIN/tsx" "$WORK/harness.mjs")

PASS=0
FAIL=0
# check <expect: ok|fail> <description-free regex that the output must contain, or ""> -- command…
check() {
  local expect="$1" pattern="$2"
  shift 3
  local out rc
  out="$("$@" 2>&1)"
  rc=$?
  local shown=(owlmetry) seen=0 a
  for a in "$@"; do
    if [ $seen = 1 ]; then
      case "$a" in eyJ*) a='<session-jwt>' ;; owl_agent_*) a='<agent-key>' ;; esac
      shown+=("$a")
    fi
    case "$a" in *index.cjs | *harness.mjs) seen=1 ;; esac
  done
  local ok=1
  if [ "$expect" = ok ] && [ $rc -ne 0 ]; then ok=0; fi
  if [ "$expect" = fail ] && [ $rc -eq 0 ]; then ok=0; fi
  if [ -n "$pattern" ] && ! grep -Eq -- "$pattern" <<<"$out"; then ok=0; fi
  if [ $ok = 1 ]; then
    PASS=$((PASS + 1))
    echo "ok    [rc=$rc] ${shown[*]}"
  else
    FAIL=$((FAIL + 1))
    echo "FAIL  [rc=$rc] ${shown[*]}   (expected $expect${pattern:+, output matching /$pattern/})"
    sed 's/^/        /' <<<"$out" | head -40
  fi
}
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=new Function("j","return "+process.argv[1])(JSON.parse(s));console.log(v)})' "$1"; }
login_code() { sleep 0.3; grep -o "Login code for $1: [0-9]*" "$WORK/server.log" | tail -1 | awk '{print $NF}'; }

EMAIL="cli-compat@example.com"

# ---------------------------------------------------------------- sign-in and basics (the binary)
echo "=== auth / whoami / projects / apps (CLI binary)"
check ok "Verification code sent" -- "${CLI[@]}" --endpoint "$ENDPOINT" auth send-code --email "$EMAIL"
CODE="$(login_code "$EMAIL")"
check ok "Authenticated" -- "${CLI[@]}" --endpoint "$ENDPOINT" auth verify --email "$EMAIL" --code "$CODE"
AGENT_KEY="$(json 'j.teams[j.active_team].api_key' <"$HOME/.owlmetry/config.json")"
TEAM_ID="$(json 'j.active_team' <"$HOME/.owlmetry/config.json")"
check ok "Key type: +agent" -- "${CLI[@]}" whoami
check ok '"key_type": "agent"' -- "${CLI[@]}" --format json whoami
check ok "Configuration saved" -- env HOME="$WORK/home-setup" "${CLI[@]}" setup --endpoint "$ENDPOINT" --api-key "$AGENT_KEY"
check ok "" -- "${CLI[@]}" projects
P="$("${CLI[@]}" --format json projects create --name "Compat" --slug compat | json j.id)"
check ok "Name: +Compat" -- "${CLI[@]}" projects view "$P"
check ok "Name: +Compat 2" -- "${CLI[@]}" projects update "$P" --name "Compat 2"
check fail "API error \(404\): Project not found" -- "${CLI[@]}" projects view 00000000-0000-0000-0000-000000000000
APP_JSON="$("${CLI[@]}" --format json apps create --project-id "$P" --name "Compat iOS" --platform apple --bundle-id com.compat.ios)"
APP_ID="$(json j.id <<<"$APP_JSON")"
CLIENT_KEY="$(json j.client_key <<<"$APP_JSON")"
check ok "Platform: +backend" -- "${CLI[@]}" apps create --project-id "$P" --name "Compat Backend" --platform backend
check ok "Compat iOS" -- "${CLI[@]}" apps --project "$P"
check ok "Bundle ID: +com.compat.ios" -- "${CLI[@]}" apps view "$APP_ID"
check ok "Name: +Compat iOS 2" -- "${CLI[@]}" apps update "$APP_ID" --name "Compat iOS 2"

# ---------------------------------------------------------------- data: plain, metric and track events
cat >"$WORK/ingest.mjs" <<'EOF'
const [endpoint, key] = process.argv.slice(2);
const now = Date.now();
const ts = (minAgo) => new Date(now - minAgo * 60000).toISOString();
const session_id = '00000000-0000-4000-8000-000000000099';
const e = (message, minAgo, extra = {}) => ({ message, level: 'info', session_id, timestamp: ts(minAgo), environment: 'ios', ...extra });
const events = [e('CLI test event info', 10, { user_id: 'u1' }), e('CLI test event error', 9, { user_id: 'u1', level: 'error' })];
// photo-upload: 5 operations, durations 100..1000 ms, the last one fails with "Timeout"
[100, 200, 300, 400, 1000].forEach((d, i) => {
  const tracking_id = `0f6c1d2e-0000-4000-8000-00000000000${i}`;
  const common = { user_id: `u${i % 3}`, app_version: i < 3 ? '1.0' : '2.0' };
  events.push(e('metric:photo-upload:start', 60 * i + 5, { ...common, custom_attributes: { tracking_id } }));
  const fail = i === 4;
  events.push(e(`metric:photo-upload:${fail ? 'fail' : 'complete'}`, 60 * i + 4, { ...common, level: fail ? 'error' : 'info',
    custom_attributes: { tracking_id, duration_ms: d, ...(fail ? { error: 'Timeout' } : {}) } }));
});
events.push(e('metric:app-launch:record', 3, { user_id: 'u1', custom_attributes: { duration_ms: 42 } }));
// funnel: u1 A B C · u2 A B · u3 A · u4 B · u5 B A B (reaches B through its second B)
const seqs = { u1: ['a', 'b', 'c'], u2: ['a', 'b'], u3: ['a'], u4: ['b'], u5: ['b', 'a', 'b'] };
let m = 50;
for (const [u, steps] of Object.entries(seqs)) for (const s of steps)
  events.push(e(`track:step-${s}`, m--, { user_id: u, app_version: u === 'u1' ? '2.0' : '1.0', experiments: { paywall: u === 'u2' ? 'b' : 'a' } }));
const r = await fetch(`${endpoint}/v1/ingest`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ bundle_id: 'com.compat.ios', events }) });
const body = await r.text();
console.log(r.status, body);
if (r.status !== 200 || JSON.parse(body).rejected !== 0) process.exit(1);
EOF
echo "=== ingest"
node "$WORK/ingest.mjs" "$ENDPOINT" "$CLIENT_KEY" || exit 1

# ---------------------------------------------------------------- the CLI's own integration test
echo "=== CLI integration test (apps/cli/src/__tests__/integration)"
(cd "$OWL/apps/cli" && OWLMETRY_TEST_ENDPOINT="$ENDPOINT" OWLMETRY_TEST_AGENT_KEY="$AGENT_KEY" OWLMETRY_TEST_TEAM_ID="$TEAM_ID" \
  "$BIN/vitest" run src/__tests__/integration/ >"$WORK/vitest.log" 2>&1)
if [ $? -eq 0 ]; then PASS=$((PASS + 1)); echo "ok    vitest run src/__tests__/integration/ ($(grep -Eo 'Tests +[0-9]+ passed' "$WORK/vitest.log"))"
else FAIL=$((FAIL + 1)); echo "FAIL  vitest run src/__tests__/integration/"; tail -40 "$WORK/vitest.log"; fi

# ---------------------------------------------------------------- events (the binary)
echo "=== events"
check ok "CLI test event error" -- "${CLI[@]}" events --project "$P" --level error --since 1h
check ok "metric:photo-upload:complete" -- "${CLI[@]}" --format log events --project "$P" --since 7d --limit 5
check ok "u1" -- "${CLI[@]}" events --user u1 --session 00000000-0000-4000-8000-000000000099 --limit 2 --data-mode all
EVENT_ID="$("${CLI[@]}" --format json events --project "$P" --limit 1 | json 'j.events[0].id')"
check ok "Message: +metric:app-launch:record" -- "${CLI[@]}" events view "$EVENT_ID"
check ok ">>> .*metric:app-launch:record" -- "${CLI[@]}" investigate "$EVENT_ID" --window 30
check ok "u5" -- "${CLI[@]}" users "$APP_ID"

# ---------------------------------------------------------------- metrics
echo "=== metrics"
check fail "required option '--project <id>' not specified" -- "${CLI[@]}" metrics create --project "$P" --name X --slug x
check ok "Aggregation: \{\"lifecycle\":true\}" -- "${SUB[@]}" metrics create --project "$P" --name "Photo upload" --slug photo-upload --description "Upload to CDN" --docs "# Docs" --lifecycle
check ok "slug: app-launch" -- "${SUB[@]}" metrics create --project "$P" --name "App launch" --slug app-launch
check fail "metric slug must contain only lowercase" -- "${SUB[@]}" metrics create --project "$P" --name Bad --slug Bad_Slug
check fail "API error \(409\): A metric with this slug already exists in this project" -- "${SUB[@]}" metrics create --project "$P" --name Dup --slug photo-upload
check ok "photo-upload +Photo upload +active" -- "${CLI[@]}" metrics --project "$P"
check ok '"slug": "app-launch"' -- "${CLI[@]}" --format json metrics --project "$P"
check fail "API error \(404\): Project not found" -- "${CLI[@]}" metrics --project 00000000-0000-0000-0000-000000000000
check ok "Upload to CDN" -- "${SUB[@]}" metrics view photo-upload --project "$P"
check fail "API error \(404\): Metric not found" -- "${SUB[@]}" metrics view nope --project "$P"
check ok "Status: paused" -- "${SUB[@]}" metrics update photo-upload --project "$P" --name "Photo upload v2" --status paused
check fail "API error \(400\): status must be one of active, paused" -- "${SUB[@]}" metrics update photo-upload --project "$P" --status archived
check ok '"status": "active"' -- "${SUB[@]}" --format json metrics update photo-upload --project "$P" --status active
check ok "Success rate: +80%" -- "${SUB[@]}" metrics query photo-upload --project "$P"
check ok '"duration_p95_ms": 880' -- "${SUB[@]}" --format json metrics query photo-upload --project "$P"
check ok "2.0: 4 events \(50% success\)" -- "${SUB[@]}" metrics query photo-upload --project "$P" --group-by app_version
check ok "T[0-9:]+00:00.000Z: 2 events" -- "${SUB[@]}" metrics query photo-upload --project "$P" --group-by time:hour
check ok '"key": "time:day"' -- "${SUB[@]}" --format json metrics query photo-upload --project "$P" --group-by time:day --since "$(date -u -d '-2 days' +%Y-%m-%dT%H:%M:%SZ)"
check ok "Total events: +2" -- "${SUB[@]}" metrics query photo-upload --project "$P" --environment ios --app-version 1.0 --user u1 --app "$APP_ID"
check ok "Record: +1" -- "${SUB[@]}" metrics query app-launch --project "$P" --data-mode all
check fail "Invalid group_by value: bogus" -- "${SUB[@]}" metrics query photo-upload --project "$P" --group-by bogus
check fail "since must be a valid ISO 8601 timestamp" -- "${SUB[@]}" metrics query photo-upload --project "$P" --since 7d
check ok "fail .*Timeout" -- "${SUB[@]}" metrics events photo-upload --project "$P" --phase fail
check ok "More results available. Use --cursor" -- "${SUB[@]}" --format log metrics events photo-upload --project "$P" --limit 3
CURSOR="$("${SUB[@]}" --format json metrics events photo-upload --project "$P" --limit 3 | json j.cursor)"
check ok "START .*user=u1" -- "${SUB[@]}" --format log metrics events photo-upload --project "$P" --limit 3 --cursor "$CURSOR"
check ok "complete .*200ms" -- "${SUB[@]}" metrics events photo-upload --project "$P" --tracking-id 0f6c1d2e-0000-4000-8000-000000000001 --user u1 --environment ios --since 6h --until "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)"
check fail "tracking_id must be a valid UUID" -- "${SUB[@]}" metrics events photo-upload --project "$P" --tracking-id nope

# ---------------------------------------------------------------- funnels
echo "=== funnels"
STEPS='[{"name":"One","event_filter":{"message":"track:step-a"}},{"name":"Two","event_filter":{"message":"track:step-b"}},{"name":"Three","event_filter":{"message":"track:step-c"}}]'
check fail "required option '--project <id>' not specified" -- "${CLI[@]}" funnels create --project "$P" --name X --slug x --steps "$STEPS"
check ok "3\. Three +message=track:step-c" -- "${SUB[@]}" funnels create --project "$P" --name Onboarding --slug onboarding --description "Signup flow" --steps "$STEPS"
check fail "API error \(409\): A funnel with this slug already exists in this project" -- "${SUB[@]}" funnels create --project "$P" --name Dup --slug onboarding --steps "$STEPS"
check fail "event_filter must have at least message or screen_name" -- "${SUB[@]}" funnels create --project "$P" --name Bad --slug bad --steps '[{"name":"x","event_filter":{}}]'
check ok "onboarding +Onboarding +3" -- "${CLI[@]}" funnels --project "$P"
check ok "Signup flow" -- "${SUB[@]}" funnels view onboarding --project "$P"
check fail "API error \(404\): Funnel not found" -- "${SUB[@]}" funnels view nope --project "$P"
check ok "Onboarding v2" -- "${SUB[@]}" funnels update onboarding --project "$P" --name "Onboarding v2" --description Updated
check ok "1\. Only" -- "${SUB[@]}" funnels create --project "$P" --name Screens --slug screens --steps '[{"name":"Only","event_filter":{"message":"track:step-a","screen_name":"Home"}}]'
check ok "2\. Two" -- "${SUB[@]}" funnels update screens --project "$P" --steps "$STEPS"
# closed: One 4 (u1 u2 u3 u5) · Two 3 (u1 u2 u5 — the original says 2, SPEC §2.14 R2) · Three 1
check ok "Two +3 +75\.0% +▼ 1 \(25\.0%\)" -- "${SUB[@]}" funnels query onboarding --project "$P"
check ok "Two +4 +100\.0%" -- "${SUB[@]}" funnels query onboarding --project "$P" --open
check ok "app_version: 2\.0 +\(1 users\)" -- "${SUB[@]}" funnels query onboarding --project "$P" --group-by app_version
check ok "experiment:paywall: a +\(3 users\)" -- "${SUB[@]}" funnels query onboarding --project "$P" --open --group-by experiment:paywall
check ok "Two +1 +50\.0%" -- "${SUB[@]}" funnels query onboarding --project "$P" --experiment paywall:a --environment ios --app-version 1.0 --since "$(date -u -d '-2 days' +%Y-%m-%dT%H:%M:%SZ)" --until "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)"
check ok '"total_users": 4' -- "${SUB[@]}" --format json funnels query onboarding --project "$P" --group-by environment --data-mode all
check fail "group_by must be one of environment, app_version, experiment:<name>" -- "${SUB[@]}" funnels query onboarding --project "$P" --group-by bogus
check fail "experiment must have the form name:variant" -- "${SUB[@]}" funnels query onboarding --project "$P" --experiment bad

# ---------------------------------------------------------------- deletes (users only)
echo "=== delete"
check fail "API error \(403\): Only users can delete metrics" -- "${SUB[@]}" metrics delete app-launch --project "$P"
check fail "API error \(403\): Only users can delete funnels" -- "${SUB[@]}" funnels delete onboarding --project "$P"
curl -sf -X POST "$ENDPOINT/v1/auth/send-code" -H 'Content-Type: application/json' -d "{\"email\":\"$EMAIL\"}" >/dev/null
CODE="$(login_code "$EMAIL")"
JWT="$(curl -sf -X POST "$ENDPOINT/v1/auth/verify-code" -H 'Content-Type: application/json' -d "{\"email\":\"$EMAIL\",\"code\":\"$CODE\"}" | json j.token)"
check ok 'Metric "app-launch" deleted' -- "${SUB[@]}" --api-key "$JWT" metrics delete app-launch --project "$P"
check fail "API error \(404\): Metric not found" -- "${SUB[@]}" --api-key "$JWT" metrics delete app-launch --project "$P"
check ok "slug: app-launch" -- "${SUB[@]}" metrics create --project "$P" --name "App launch again" --slug app-launch
check ok "Record: +1" -- "${SUB[@]}" metrics query app-launch --project "$P"
check ok 'Funnel "onboarding" deleted' -- "${SUB[@]}" --api-key "$JWT" funnels delete onboarding --project "$P"
check fail "API error \(404\): Funnel not found" -- "${SUB[@]}" funnels query onboarding --project "$P"

echo "=== $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
