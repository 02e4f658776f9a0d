#!/usr/bin/env bash
# Benchmark of twofa-service: throughput, latency and memory of login and verify, each next to the limit that
# bounds it, measured in the same run on the same machine. See README.md, "Performance".
#
#   bench/run.sh                 # build, start the packaged service (prod profile) on 127.0.0.1:8383, measure
#
# Database: the embedded default (fresh, in $BENCH_WORK/data), or the server named by QUARKUS_DATASOURCE_*
# (QUARKUS_DATASOURCE_JDBC_URL or _REACTIVE_URL, _USERNAME, _PASSWORD); that database must be empty or hold only
# a previous run of this benchmark (it adds ~1M accounts and 10M audit rows), and the keys are then generated into
# $BENCH_WORK/data/keys unless TWOFA_TOKEN_KEYS_DIR / TWOFA_CRYPTO_KEYS_DIR name them.
#
# Knobs (defaults): BENCH_ACCOUNTS=1000000  BENCH_AUDIT_ROWS=10000000  BENCH_DURATION=10 (s per measured phase)
#   BENCH_WARMUP=3 (s)  BENCH_WORK=bench/work  BENCH_SKIP_BUILD=0  BENCH_JFR=0 (1: record the service with JFR
#   into $BENCH_WORK/service.jfr)  QUARKUS_HTTP_PORT=8383
#   BENCH_ARGON2=19456,2,1 (m KiB,t,p of the accounts' password hashes; e.g. 1024,1,1 to measure the password step
#   beyond the hash)  BENCH_JVM_OPTIONS=src/main/jvm/jvm.options (the service's JVM settings, as in production;
#   "none": the JVM's defaults, for the comparison with unlimited memory)  BENCH_PG_STATS=0 (1: PostgreSQL's own
#   profile of each phase, from pg_stat_statements, into $BENCH_WORK/pg_statements_<phase>.txt).
# Account ranges are sized from the rates measured earlier in the run; a run with too few accounts stops with a
# message saying how many it needs, rather than report a rate capped by running out of accounts.
# Every load phase has a fixed duration; all traffic goes to 127.0.0.1 (the login flood's client binds to the
# source address 127.0.0.2); everything started is stopped on exit.
# The last lines printed are the figures, one "name: value" per line.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
WORK="${BENCH_WORK:-$ROOT/bench/work}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
PORT="${QUARKUS_HTTP_PORT:-8383}"
ACCOUNTS="${BENCH_ACCOUNTS:-1000000}"
AUDIT_ROWS="${BENCH_AUDIT_ROWS:-10000000}"
DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-3}"
ARGON2="${BENCH_ARGON2:-19456,2,1}"
[[ "$ARGON2" =~ ^[0-9]+,[0-9]+,[0-9]+$ ]] || { echo "BENCH_ARGON2 must be m,t,p (memory KiB, iterations, parallelism): $ARGON2" >&2; exit 2; }
JVM_OPTIONS="${BENCH_JVM_OPTIONS:-src/main/jvm/jvm.options}"
PG_STATS="${BENCH_PG_STATS:-0}"
PGBENCH="${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}"
RESULTS="$WORK/results.txt"
LOG="$WORK/bench.log"
SERVICE_LOG="$WORK/service.log"
: >"$RESULTS"
: >"$LOG"
T_START=$(date +%s)

SERVICE_PID=""
SAMPLER_PID=""
stop_service() {
    if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
        kill -TERM "$SERVICE_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SERVICE_PID" 2>/dev/null || true
        wait "$SERVICE_PID" 2>/dev/null || true
    fi
    SERVICE_PID=""
}
cleanup() {
    local rc=$?
    if [[ -n "$SAMPLER_PID" ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; fi
    # the service's shutdown hook stops the embedded PostgreSQL it started
    stop_service
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[bench $(date +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }
result() { echo "$1: $2" >>"$RESULTS"; echo "  $1: $2" >&2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }
value() { sed -n "s/^$1: //p" "$2" | tail -1; }

# ---- 1. build -------------------------------------------------------------------------------------------------
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 || ! -f target/quarkus-app/quarkus-run.jar || ! -f target/test-classes/io/twofa/bench/Seed.class ]]; then
    # the bench profile compiles bench/java with the test classes (no benchmark class in the application)
    log "building the service and the benchmark: ./mvnw -q -Pbench package -DskipTests"
    ./mvnw -q -Pbench package -DskipTests
fi
if [[ ! -s "$WORK/classpath.txt" || pom.xml -nt "$WORK/classpath.txt" ]]; then
    ./mvnw -q -Pbench dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/classpath.txt"
fi
CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$WORK/classpath.txt")"
BENCH_JAVA=(java -XX:+UseParallelGC -Xms256m -cp "$CP" -Dargon2="$ARGON2")

# ---- 2. database and service ----------------------------------------------------------------------------------
DATA_DIR="${TWOFA_DATA_DIR:-$WORK/data}"
EXTERNAL_DB=0
if [[ -n "${QUARKUS_DATASOURCE_JDBC_URL:-}${QUARKUS_DATASOURCE_REACTIVE_URL:-}" ]]; then
    EXTERNAL_DB=1
    export TWOFA_CRYPTO_GENERATE_KEYS="${TWOFA_CRYPTO_GENERATE_KEYS:-true}"
    [[ -n "${TWOFA_CRYPTO_KEYS_DIR:-}${TWOFA_TOKEN_KEYS_DIR:-}" ]] || rm -rf "$DATA_DIR/keys"
else
    rm -rf "$DATA_DIR"
fi
mkdir -p "$DATA_DIR"
export TWOFA_DATA_DIR="$DATA_DIR"
export QUARKUS_HTTP_PORT="$PORT" QUARKUS_HTTP_HOST=127.0.0.1
ADMIN_PASSWORD="${TWOFA_BOOTSTRAP_ADMIN_PASSWORD:-bench-admin-$RANDOM$RANDOM$RANDOM}"
export TWOFA_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD"
SECRET_KEYS="${TWOFA_CRYPTO_KEYS_DIR:-$DATA_DIR/keys/secrets}"
SIGNING_KEYS="${TWOFA_TOKEN_KEYS_DIR:-$DATA_DIR/keys/signing}"
JAVA_OPTS=()
if [[ "$JVM_OPTIONS" != none ]]; then
    [[ -f "$JVM_OPTIONS" ]] || { echo "BENCH_JVM_OPTIONS: no file $JVM_OPTIONS" >&2; exit 2; }
    JAVA_OPTS+=("@$JVM_OPTIONS")
fi
if [[ "${BENCH_JFR:-0}" == 1 ]]; then
    JAVA_OPTS+=(-XX:+FlightRecorder "-XX:StartFlightRecording=filename=$WORK/service.jfr,settings=profile,dumponexit=true")
fi

# the management interface (health, metrics) on loopback too; in production mode it listens on all addresses
export QUARKUS_MANAGEMENT_HOST=127.0.0.1
for p in "$PORT" "${QUARKUS_MANAGEMENT_PORT:-9000}"; do
    if curl -s -o /dev/null "http://127.0.0.1:$p/"; then
        echo "port $p is already in use; stop what runs there first" >&2
        exit 1
    fi
done

# starts the service; sets SERVICE_PID and STARTUP_MS (launch to /q/health/ready = 200)
start_service() {
    local t0 t1
    t0=$(date +%s%3N)
    java "${JAVA_OPTS[@]}" -jar target/quarkus-app/quarkus-run.jar >>"$SERVICE_LOG" 2>&1 &
    SERVICE_PID=$!
    for _ in $(seq 1 1200); do
        if curl -sf -o /dev/null "http://127.0.0.1:${QUARKUS_MANAGEMENT_PORT:-9000}/q/health/ready"; then
            t1=$(date +%s%3N)
            STARTUP_MS=$((t1 - t0))
            return 0
        fi
        kill -0 "$SERVICE_PID" 2>/dev/null || { echo "the service exited; see $SERVICE_LOG" >&2; tail -30 "$SERVICE_LOG" >&2; exit 1; }
        sleep 0.05
    done
    echo "the service was not ready after 60 s; see $SERVICE_LOG" >&2
    exit 1
}

: >"$SERVICE_LOG"
log "first start (creates the database, schema and keys)"
start_service
FIRST_STARTUP_MS=$STARTUP_MS
if [[ "$PG_STATS" == 1 && $EXTERNAL_DB == 0 ]]; then
    # loaded at the server's start: set now, in effect from the restart on
    PGPASSWORD="$(cat "$DATA_DIR/postgres-password")" psql -h 127.0.0.1 -U postgres -d postgres -qX \
        -p "$(sed -n 's/.*Embedded PostgreSQL [a-z]* on port \([0-9]*\).*/\1/p' "$SERVICE_LOG" | tail -1)" \
        -c "alter system set shared_preload_libraries = 'pg_stat_statements'" \
        -c "alter system set pg_stat_statements.track_planning = on"
fi
stop_service
log "restart: startup_ms is measured on an existing database, as in production"
start_service
log "service pid $SERVICE_PID ready in $STARTUP_MS ms (first start: $FIRST_STARTUP_MS ms)"

if [[ $EXTERNAL_DB == 1 ]]; then
    URL="${QUARKUS_DATASOURCE_JDBC_URL:-jdbc:${QUARKUS_DATASOURCE_REACTIVE_URL#vertx-reactive:}}"
    DB_USER="${QUARKUS_DATASOURCE_USERNAME:-postgres}"
    DB_PASSWORD="${QUARKUS_DATASOURCE_PASSWORD:-}"
else
    PG_PORT=$(sed -n 's/.*Embedded PostgreSQL [a-z]* on port \([0-9]*\).*/\1/p' "$SERVICE_LOG" | tail -1)
    URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres"
    DB_USER=postgres
    # the embedded server takes only password logins; the service keeps its generated password in this file
    DB_PASSWORD="$(cat "$DATA_DIR/postgres-password")"
fi
# host, port and database for psql and pgbench, from jdbc:postgresql://host[:port]/db[?...]
HOSTPART="${URL#jdbc:postgresql://}"
HOSTPART="${HOSTPART%%\?*}"
DB_NAME="${HOSTPART#*/}"
HOSTPORT="${HOSTPART%%/*}"
DB_HOST="${HOSTPORT%%:*}"
DB_PORT="${HOSTPORT##*:}"
[[ "$DB_PORT" == "$HOSTPORT" ]] && DB_PORT=5432
export PGHOST="$DB_HOST" PGPORT="$DB_PORT" PGDATABASE="$DB_NAME" PGUSER="$DB_USER" PGPASSWORD="$DB_PASSWORD"
DBPROPS=(-Djdbc="$URL" -Duser="$DB_USER" -Dpassword="$DB_PASSWORD")
if [[ "$PG_STATS" == 1 ]]; then
    psql -qX -c "create extension if not exists pg_stat_statements" -c "select count(*) from pg_stat_statements" >/dev/null \
        || { echo "BENCH_PG_STATS=1: this server does not load pg_stat_statements (shared_preload_libraries)" >&2; exit 2; }
fi
log "database: $URL"

# memory of the service: VmHWM is the peak resident set; sampled every 0.5 s (also VmRSS) until the end
( while kill -0 "$SERVICE_PID" 2>/dev/null; do grep -E '^Vm(HWM|RSS)' "/proc/$SERVICE_PID/status" 2>/dev/null | tr '\n' ' '; echo; sleep 0.5; done ) >"$WORK/rss.txt" &
SAMPLER_PID=$!

# ---- 3. site policy: two-factor required ----------------------------------------------------------------------
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
ADMIN_TOKEN=$(curl -sf "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"login\":\"admin\",\"password\":\"$ADMIN_PASSWORD\",\"client\":\"web\"}" | json_field access_token)
[[ -n "$ADMIN_TOKEN" ]] || { echo "admin login failed (is the database fresh? TWOFA_BOOTSTRAP_ADMIN_PASSWORD?)" >&2; exit 1; }
curl -sf -X PUT "http://127.0.0.1:$PORT/api/v1/site-policy" -H "authorization: Bearer $ADMIN_TOKEN" \
    -H 'content-type: application/json' -d '{"two_factor_required":true}' >/dev/null
log "site policy: two_factor_required=true"

# CPU time (ms) of the service JVM, and of the embedded PostgreSQL (postmaster + backends, exited ones included)
HZ=$(getconf CLK_TCK)
svc_cpu_ms() { awk -v hz="$HZ" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$SERVICE_PID/stat"; }
PG_MASTER=""
[[ $EXTERNAL_DB == 1 ]] || PG_MASTER=$(pgrep -f -- "-D $DATA_DIR/postgres -p $PG_PORT" | head -1 || true)
pg_cpu_ms() {
    [[ -n "$PG_MASTER" ]] || { echo 0; return; }
    { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$PG_MASTER/stat"
      for c in $(pgrep -P "$PG_MASTER"); do awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || true; done
    } | awk -v hz="$HZ" '{ t += $1 } END { printf "%d", t * 1000 / hz }'
}
# cpu_begin; <phase>; cpu_end NAME REQUESTS: CPU per request of the service and of PostgreSQL during the phase
# (with BENCH_PG_STATS=1 also PostgreSQL's statements of the phase, planning and execution per call, into
# pg_statements_NAME.txt; the reset and the read are outside the CPU counted)
cpu_begin() {
    [[ "$PG_STATS" != 1 ]] || psql -qXAt -c "select pg_stat_statements_reset()" >/dev/null
    CPU_S0=$(svc_cpu_ms); CPU_P0=$(pg_cpu_ms)
}
cpu_end() {
    local ds dp
    ds=$(( $(svc_cpu_ms) - CPU_S0 )); dp=$(( $(pg_cpu_ms) - CPU_P0 ))
    if [[ "$PG_STATS" == 1 ]]; then
        psql -qX -c "select calls, round((total_plan_time / calls)::numeric, 3) as plan_ms,
                round((total_exec_time / calls)::numeric, 3) as exec_ms, round(shared_blks_hit::numeric / calls, 1) as blocks,
                left(regexp_replace(query, '\s+', ' ', 'g'), 150) as query
            from pg_stat_statements where calls >= 10 order by total_plan_time + total_exec_time desc limit 12" \
            >"$WORK/pg_statements_$1.txt"
    fi
    result "${1}_service_cpu_ms_per_req" "$(awk -v a="$ds" -v n="$2" 'BEGIN { printf "%.2f", (n > 0 ? a / n : 0) }')"
    [[ -z "$PG_MASTER" ]] || result "${1}_pg_cpu_ms_per_req" "$(awk -v a="$dp" -v n="$2" 'BEGIN { printf "%.2f", (n > 0 ? a / n : 0) }')"
}
pg_seq_scans() { psql -Atqc "select coalesce(sum(seq_scan), 0) from pg_stat_user_tables where relname in ('account', 'authenticator')"; }

seed() { timeout 600 "${BENCH_JAVA[@]}" "${DBPROPS[@]}" -Dkeys="$SECRET_KEYS" io.twofa.bench.Seed "$@" 2>&1 | tee -a "$LOG" >&2; }
load() {
    local out="$WORK/phase.txt"
    rm -f "$WORK/total.txt"
    timeout 600 "${BENCH_JAVA[@]}" "${DBPROPS[@]}" -Dport="$PORT" -DsigningKeys="$SIGNING_KEYS" -DsecretKeys="$SECRET_KEYS" -Dwarmup="$WARMUP" \
        -Dduration="$DURATION" -DtotalFile="$WORK/total.txt" "$@" >"$out" 2> >(tee -a "$LOG" >&2)
    if [[ "${DISCARD:-0}" == 1 ]]; then return 0; fi
    cat "$out" >>"$RESULTS"
    sed 's/^/  /' "$out" >&2
}

# Accounts by number (see BenchAccounts): 0..999 the 1k pool; then each phase takes a disjoint range of its own
# (no account is verified twice in one TOTP step, none is known at an address before its phase), sized from the
# rates measured before it. take NAME COUNT sets FROM and TO, or stops the run when BENCH_ACCOUNTS is too small.
A=$ACCOUNTS
(( A >= 2000 )) || { echo "BENCH_ACCOUNTS=$A: at least 2000 (the 1k pool and some more) are needed" >&2; exit 2; }
NEXT_ACCOUNT=1000
take() {
    if (( NEXT_ACCOUNT + $2 > A )); then
        echo "BENCH_ACCOUNTS=$A is too small: the phase '$1' needs $2 accounts at the rates measured in this run, and" \
             "only $((A - NEXT_ACCOUNT)) are left; run again with BENCH_ACCOUNTS of at least" \
             "$(( (NEXT_ACCOUNT + $2) * 3 ))" >&2
        exit 2
    fi
    FROM=$NEXT_ACCOUNT; TO=$((NEXT_ACCOUNT + $2)); NEXT_ACCOUNT=$TO
}

# ---- 4. verify cost vs number of accounts: 1k, then 1M ---------------------------------------------------------
seed accounts 0 1000
log "warming the service up (JIT): login c=4 for 15 s, then verify rounds (unmeasured) for ${SERVICE_WARMUP:=60}s"
DISCARD=1 load -Dmetric=warmup_login -Dc=4 -Dwarmup=0 -Dduration=15 -Dfrom=0 -Dto=1000 -Dcycle=true io.twofa.bench.Load login 2>/dev/null
DISCARD=1 load -Dmetric=warmup_verify -Dc=64 -Dpool=1000 -Dwarmup="$SERVICE_WARMUP" -Dduration=0 io.twofa.bench.Load verify-rounds 2>/dev/null
log "verify with 1k accounts (c=64): rounds over the same 1000 accounts for ${DURATION}s, replay markers reset between rounds (untimed)"
cpu_begin
load -Dmetric=verify -Dsuffix=_1k_accounts -Dc=64 -Dpool=1000 io.twofa.bench.Load verify-rounds
cpu_end verify_1k_accounts "$(cat "$WORK/total.txt")"
seed accounts 1000 "$A"
log "verify with $A accounts (c=64): the same procedure and the same 1000 accounts"
SEQ0=$(pg_seq_scans)
cpu_begin
load -Dmetric=verify -Dsuffix=_1m_accounts -Dc=64 -Dpool=1000 io.twofa.bench.Load verify-rounds
cpu_end verify_1m_accounts "$(cat "$WORK/total.txt")"
result seq_scans_of_account_authenticator_during_1m "$(( $(pg_seq_scans) - SEQ0 ))"
RPS_1K=$(value verify_rps_1k_accounts "$RESULTS")
RPS_1M=$(value verify_rps_1m_accounts "$RESULTS")
result verify_1m_vs_1k_accounts "$(ratio "$RPS_1M" "$RPS_1K")"

# challenge tokens to mint (and accounts to take) per fixed-duration verify phase: enough for 3x the rate seen so far
TOKENS=$(awk -v r="$RPS_1M" -v d="$DURATION" -v w="$WARMUP" 'BEGIN { printf "%d", 3 * r * (d + w) + 3000 }')

# ---- 5. verify at 16 and 64 concurrent requests, and PostgreSQL running the same SQL (pgbench) -------------------
verify_phase() { # concurrency suffix
    take "verify$2" "$TOKENS"
    log "verify c=$1 for ${DURATION}s (accounts $FROM..$TO, $TOKENS challenge tokens minted beforehand)"
    cpu_begin
    load -Dmetric=verify -Dsuffix="$2" -Dc="$1" -Dfrom="$FROM" -Dto="$TO" -Dtokens="$TOKENS" io.twofa.bench.Load verify
    cpu_end "verify$2" "$(cat "$WORK/total.txt")"
}
pg_phase() { # concurrency
    local step out tps
    take "pgbench c=$1" $((2 * TOKENS))
    local base=$FROM range=$((TO - FROM))
    step=$(( $(date +%s) / 30 ))
    out="$WORK/pgbench_c$1.txt"
    log "pgbench: the verify SQL (bench/verify.sql), c=$1, -M prepared, ${DURATION}s"
    local p0
    p0=$(pg_cpu_ms)
    timeout $((DURATION + 120)) "$PGBENCH" -n -M prepared -f "$ROOT/bench/verify.sql" -c "$1" -j 2 -T "$DURATION" \
        -D k=0 -D base="$base" -D clients="$1" -D step="$step" -D scope=second_factor -D free=5 -D delay=30 \
        -D maxdelay=900 -D lock=100 -D client=web -D detail=totp -D ip=127.0.0.1 \
        -D reqid=5f0c2a9e-1b7d-4c3e-9a61-2d8e4b7f0c13 >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out" | tail -1)
    sed -n 's/^\(latency average\|number of transactions actually processed\|number of failed\).*/  &/p' "$out" >&2
    result "pg_limit_tps_c$1" "$(printf '%.1f' "$tps")"
    local processed
    processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")
    [[ -z "$PG_MASTER" ]] || result "pg_limit_pg_cpu_ms_per_tx_c$1" \
        "$(awk -v a="$(( $(pg_cpu_ms) - p0 ))" -v n="$processed" 'BEGIN { printf "%.2f", (n > 0 ? a / n : 0) }')"
    if (( processed + $1 > range )); then
        echo "pgbench c=$1 ran past its $range accounts ($processed transactions): its rate is not valid;" \
             "run again with more BENCH_ACCOUNTS" >&2
        exit 2
    fi
}
log "the SQL of one verify, as run by pgbench:"
grep -v '^--' "$ROOT/bench/verify.sql" | sed 's/^/    /' >&2
verify_phase 16 _c16
verify_phase 64 _c64
pg_phase 16
pg_phase 64
for c in 16 64; do
    result "verify_vs_pg_limit_c$c" "$(ratio "$(value "verify_rps_c$c" "$RESULTS")" "$(value "pg_limit_tps_c$c" "$RESULTS")")"
done
result pg_limit_tps "$(value pg_limit_tps_c64 "$RESULTS")"
result verify_vs_pg_limit "$(value verify_vs_pg_limit_c64 "$RESULTS")"

# ---- 6. password step vs Argon2id ---------------------------------------------------------------------------------
# The service hashes on one thread per core (TWOFA_CRYPTO_ARGON2_THREADS unset); the limit uses as many threads and
# the service's JVM defaults (no GC or heap flags, as `java -jar` runs it). C2 needs seconds to compile Bouncy Castle's
# Argon2 loop on a busy 2-core machine: with 3-5 s of warm-up the limit measured anywhere from 17 to 63 hashes/s, with
# 15 s 60-73. Hence the long warm-up here, and the service's own login warm-up at the start.
HASH_THREADS="${TWOFA_CRYPTO_ARGON2_THREADS:-$(nproc)}"
log "Argon2id limit: the accounts' hash (m,t,p = $ARGON2) on $HASH_THREADS threads, as the service, no HTTP, no database"
result argon2_params "$ARGON2"
timeout 120 java -cp "$CP" -Dargon2="$ARGON2" -Dthreads="$HASH_THREADS" -Dwarmup=15 -Dduration="$DURATION" io.twofa.bench.HashLimit \
    >"$WORK/phase.txt" 2> >(tee -a "$LOG" >&2)
cat "$WORK/phase.txt" >>"$RESULTS"; sed 's/^/  /' "$WORK/phase.txt" >&2
# accounts per login phase: 3x the hash limit for the whole phase (a login cannot be faster than its hash)
LOGINS=$(awk -v r="$(value hash_limit_per_s "$RESULTS")" -v d="$DURATION" -v w="$WARMUP" 'BEGIN { printf "%d", 3 * r * (d + w) + 1000 }')
take login "$LOGINS"
log "login (password step) c=16 for ${DURATION}s (accounts $FROM..$TO)"
cpu_begin
load -Dmetric=login -Dc=16 -Dfrom="$FROM" -Dto="$TO" io.twofa.bench.Load login
cpu_end login "$(cat "$WORK/total.txt")"
result login_vs_hash_limit "$(ratio "$(value login_rps "$RESULTS")" "$(value hash_limit_per_s "$RESULTS")")"
# the password step beyond the hash: the service's CPU per login minus the thread time of one hash alone
result login_service_cpu_ms_beyond_hash \
    "$(awk -v a="$(value login_service_cpu_ms_per_req "$RESULTS")" -v h="$(value hash_ms_per_check "$RESULTS")" 'BEGIN { printf "%.2f", a - h }')"

# ---- 6b. the password step during a login flood from another address (issue 14, docs/throttling.md) ---------------
# Real users (c=16, source 127.0.0.1, a clean address) while 127.0.0.2 sends logins of unknown accounts on 64
# connections as fast as they are answered: after its 50 free failures the address waits, so the flood is answered
# 429 without hashing. The same figures as the login phase, with the suffix _under_flood, next to it.
log "login c=16 at 127.0.0.1 while 127.0.0.2 floods logins of unknown accounts (c=64), ${DURATION}s"
take "login under flood" "$LOGINS"
load -Dmetric=login -Dsuffix=_under_flood -Dc=16 -DfloodC=64 -DfloodFrom=127.0.0.2 -Dfrom="$FROM" -Dto="$TO" \
    io.twofa.bench.Load login-flood
result login_p99_under_flood_vs_login "$(ratio "$(value login_p99_ms_under_flood "$RESULTS")" "$(value login_p99_ms "$RESULTS")")"

# ---- 7. the full two-factor login ----------------------------------------------------------------------------------
take "full flow" "$LOGINS"
log "full flow (login + verify -> access token) c=16 for ${DURATION}s"
load -Dmetric=full_flow -Dc=16 -Dfrom="$FROM" -Dto="$TO" io.twofa.bench.Load full

# ---- 7b. latency at a fixed arrival rate: 25, 50 and 75 % of the highest closed-loop rate ----------------------------
# Open loop: requests are sent on schedule whatever the answers, and latency counts from the scheduled time.
open_phase() { # metric (verify|full_flow) mode max-rate pct
    local rate n
    rate=$(awk -v m="$3" -v p="$4" 'BEGIN { printf "%.1f", m * p / 100 }')
    n=$(awk -v r="$rate" -v d="$DURATION" -v w="$WARMUP" 'BEGIN { printf "%d", r * (d + w) + 2 }')
    take "$1 open loop at $4 %" "$n"
    log "$1 at a fixed rate of $rate/s ($4 % of $3/s), ${DURATION}s"
    cpu_begin
    load -Dmetric="$1" -Dsuffix="_open$4" -Drate="$rate" -Dfrom="$FROM" -Dto="$TO" io.twofa.bench.Load "$2"
    cpu_end "$1_open$4" "$(cat "$WORK/total.txt")"
}
VERIFY_MAX=$(awk -v a="$(value verify_rps_c16 "$RESULTS")" -v b="$(value verify_rps_c64 "$RESULTS")" 'BEGIN { print (a > b ? a : b) }')
for pct in 25 50 75; do open_phase verify verify-open "$VERIFY_MAX" "$pct"; done
for pct in 25 50 75; do open_phase full_flow full-open "$(value full_flow_rps "$RESULTS")" "$pct"; done
result full_flow_p99_open50_vs_hash_ms \
    "$(ratio "$(value full_flow_p99_ms_open50 "$RESULTS")" "$(value hash_ms_per_check "$RESULTS")")"

# ---- 8. verify with 10 million audit rows ---------------------------------------------------------------------------
log "adding $AUDIT_ROWS audit_event rows"
seed audit "$AUDIT_ROWS"
verify_phase 64 _10m_audit_rows

# ---- 9. memory and start-up -----------------------------------------------------------------------------------------
HWM_KB=$(sed -n 's/.*VmHWM:[[:space:]]*\([0-9]*\) kB.*/\1/p' "$WORK/rss.txt" | sort -n | tail -1)
result rss_peak_mb "$((HWM_KB / 1024))"
result startup_ms "$STARTUP_MS"
result startup_first_ms "$FIRST_STARTUP_MS"
result jvm_options "$( [[ "$JVM_OPTIONS" == none ]] && echo "JVM defaults" || grep -v '^#' "$JVM_OPTIONS" | tr '\n' ' ' )"
result accounts_used "$NEXT_ACCOUNT of $A"

kill "$SAMPLER_PID" 2>/dev/null || true
stop_service

# ---- 10. the token work alone, with the service and PostgreSQL stopped -----------------------------------------------
log "token work limit: check one ES256 challenge token and sign one access token, $(nproc) threads, no HTTP, no database"
timeout 120 "${BENCH_JAVA[@]}" -DsigningKeys="$SIGNING_KEYS" -DsecretKeys="$SECRET_KEYS" io.twofa.bench.Es256Limit >"$WORK/phase.txt" 2>>"$LOG"
cat "$WORK/phase.txt" >>"$RESULTS"; sed 's/^/  /' "$WORK/phase.txt" >&2
result verify_vs_es256_limit "$(ratio "$(value verify_rps_c64 "$RESULTS")" "$(value es256_limit_per_s "$RESULTS")")"
result bench_total_s "$(( $(date +%s) - T_START ))"
log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg); java $(java -version 2>&1 | head -1)"
echo "---- results ($(date -u +%Y-%m-%dT%H:%MZ)) ----"
cat "$RESULTS"
