# Shared by bench/run and bench/soak (sourced, not run): logging, the EXIT trap that stops what a
# script started by PID and drops its database, PostgreSQL setup, keys and tokens, the data load,
# starting and stopping Parley, and wrk.
#
# The sourcing script sets, before calling bench_init:
#   BENCH_DIR, ROOT             bench/ and the repository root (the working directory)
#   USERS, CONVS, MSGS, HEAVY   data size (bench/generate.sql)
#   JAVA_OPTS                   JVM options for Parley
#   THREADS, CONNECTIONS, WRK_TIMEOUT   wrk settings
#   PG_CLUSTER, PGBIN           the local PostgreSQL cluster and its client tools
#   KEEP_WORK                   non-empty: keep the temp directory after a successful run
# The database knobs PARLEY_BENCH_JDBC_URL / _JDBC_USER / _JDBC_PASSWORD are read here directly, so
# both scripts take the same ones.

LOG_TAG=${LOG_TAG:-bench}
log() { printf '[%s %s] %s\n' "$LOG_TAG" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- state and cleanup ------------
# bench_init NAME KEEP_KNOB: the temp directory /tmp/parley-NAME.XXXXXX, the database (and role)
# name parley_NAME_<pid>, and the traps; KEEP_KNOB is the variable named in the "logs kept" line.
bench_init() {
    WORK=$(mktemp -d "/tmp/parley-$1.XXXXXX")
    KEEP_KNOB=$2
    PARLEY_PID=""
    CHILD_PID=""
    DB_CREATED=""
    ROLE_CREATED=""
    PG_STARTED_BY_US=""
    PG_PORT=""
    DB_NAME="parley_$1_$$"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

stop_pid() { # pid [seconds]: TERM, bounded wait, then KILL
    local pid=$1 limit=${2:-30} i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < limit * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "process $pid did not stop in ${limit}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$CHILD_PID" 5
    stop_pid "$PARLEY_PID" 30
    if [ -n "$DB_CREATED" ]; then
        admin_sql "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 \
            && log "dropped database $DB_NAME" || log "could not drop database $DB_NAME: drop it by hand"
    fi
    if [ -n "$ROLE_CREATED" ]; then
        admin_sql "DROP ROLE IF EXISTS ${DB_NAME}_app" >/dev/null 2>&1 || log "could not drop role ${DB_NAME}_app"
        if [ -z "${PARLEY_BENCH_JDBC_URL:-}" ]; then
            admin_sql "DROP ROLE IF EXISTS $DB_NAME" >/dev/null 2>&1 || log "could not drop role $DB_NAME"
        fi
    fi
    if [ -n "$PG_STARTED_BY_US" ]; then
        # Put the server back as found, unless someone else started using it meanwhile.
        local others
        others=0
        if [ -n "$PG_PORT" ]; then
            others=$(as_postgres "$PGBIN/psql" -X -Atq -p "$PG_PORT" -d postgres -c \
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" \
                2>/dev/null || echo 1)
        fi
        if [ "$others" = "0" ]; then
            pg_ctlcluster $PG_CLUSTER stop && log "stopped PostgreSQL $PG_CLUSTER (it was down before the run)"
        else
            log "PostgreSQL $PG_CLUSTER has other clients now; leaving it running"
        fi
    fi
    if [ "$rc" -eq 0 ] && [ -z "$KEEP_WORK" ]; then
        rm -rf "$WORK"
    elif [ "$rc" -eq 0 ]; then
        log "logs kept in $WORK ($KEEP_KNOB)"
    else
        log "failed (exit $rc); logs kept in $WORK"
    fi
    exit "$rc"
}

# Runs a command in the background and waits for it, so that the EXIT trap can stop it by PID.
run_child() {
    start_child "$@"
    wait_child
}

# start_child CMD...: starts it in the background as CHILD_PID (stopped by the EXIT trap);
# wait_child: waits for it and returns its status.
start_child() {
    "$@" &
    CHILD_PID=$!
}

wait_child() {
    local rc=0
    wait "$CHILD_PID" || rc=$?
    CHILD_PID=""
    return "$rc"
}

# ---------------------------------------------------------------- tools -------------------------
pick_java() {
    if [ -n "${JAVA_HOME:-}" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
        return
    fi
    local candidate
    for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64; do
        if [ -x "$candidate/bin/java" ]; then
            export JAVA_HOME="$candidate"
            return
        fi
    done
    die "no JDK 21+ found; set JAVA_HOME"
}

# ensure_tools [pgbench]: wrk, curl, openssl and psql (and pgbench when asked for).
ensure_tools() {
    local missing=() need_pgbench=${1:-}
    command -v wrk >/dev/null || missing+=(wrk)
    command -v curl >/dev/null || missing+=(curl)
    command -v openssl >/dev/null || missing+=(openssl)
    if [ ${#missing[@]} -gt 0 ]; then
        [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null || die "missing: ${missing[*]} (install them)"
        log "installing ${missing[*]} with apt-get"
        apt-get install -y -qq "${missing[@]}" >"$WORK/apt.log" 2>&1 \
            || { apt-get update -qq >>"$WORK/apt.log" 2>&1 && apt-get install -y -qq "${missing[@]}" >>"$WORK/apt.log" 2>&1; } \
            || die "apt-get install ${missing[*]} failed; see $WORK/apt.log"
    fi
    if [ -n "$need_pgbench" ]; then
        [ -x "$PGBIN/pgbench" ] || PGBIN=$(dirname "$(command -v pgbench 2>/dev/null || echo /nonexistent/pgbench)")
        [ -x "$PGBIN/pgbench" ] && [ -x "$PGBIN/psql" ] || die "pgbench/psql not found (PARLEY_BENCH_PGBIN)"
    else
        [ -x "$PGBIN/psql" ] || PGBIN=$(dirname "$(command -v psql 2>/dev/null || echo /nonexistent/psql)")
        [ -x "$PGBIN/psql" ] || die "psql not found (PARLEY_BENCH_PGBIN)"
    fi
}

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    elif [ "$(id -un)" = postgres ]; then
        "$@"
    else
        sudo -n -u postgres "$@"
    fi
}

# ---------------------------------------------------------------- database ----------------------
# admin_sql SQL: run as the administrator (local: postgres over the unix socket; external: the
# given user on the given server's maintenance database).
admin_sql() {
    if [ -n "${PARLEY_BENCH_JDBC_URL:-}" ]; then
        PGPASSWORD="$DB_PASSWORD" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" \
            -U "$DB_USER" -d "$ADMIN_DB" -c "$1"
    else
        as_postgres "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres -c "$1"
    fi
}

# bench_psql ARGS...: psql as the benchmark user on the benchmark database, over TCP like Parley.
bench_psql() {
    PGPASSWORD="$DB_PASSWORD" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT" \
        -U "$DB_USER" -d "$DB_NAME" "$@"
}

setup_database() {
    if [ -n "${PARLEY_BENCH_JDBC_URL:-}" ]; then
        [[ "$PARLEY_BENCH_JDBC_URL" =~ ^jdbc:postgresql://([^/:?]+)(:([0-9]+))?/([^?]+) ]] \
            || die "PARLEY_BENCH_JDBC_URL must look like jdbc:postgresql://host[:port]/database"
        DB_HOST=${BASH_REMATCH[1]}
        DB_PORT=${BASH_REMATCH[3]:-5432}
        ADMIN_DB=${BASH_REMATCH[4]}
        DB_USER=${PARLEY_BENCH_JDBC_USER:-${PARLEY_BENCH_JDBC_USERNAME:-postgres}}
        DB_PASSWORD=${PARLEY_BENCH_JDBC_PASSWORD:-}
        log "PostgreSQL at $DB_HOST:$DB_PORT (PARLEY_BENCH_JDBC_URL), user $DB_USER"
        admin_sql "CREATE DATABASE $DB_NAME" >/dev/null
        DB_CREATED=1
        APP_USER=${DB_NAME}_app
        APP_PASSWORD=$(openssl rand -hex 16)
        admin_sql "CREATE ROLE $APP_USER LOGIN PASSWORD '$APP_PASSWORD'" >/dev/null
        ROLE_CREATED=1
    else
        command -v pg_ctlcluster >/dev/null || die "no pg_ctlcluster; set PARLEY_BENCH_JDBC_URL"
        if ! pg_ctlcluster $PG_CLUSTER status >/dev/null 2>&1; then
            log "starting PostgreSQL $PG_CLUSTER"
            pg_ctlcluster $PG_CLUSTER start
            PG_STARTED_BY_US=1
        fi
        PG_PORT=$(pg_lsclusters -h | awk -v v="${PG_CLUSTER%% *}" -v c="${PG_CLUSTER##* }" '$1 == v && $2 == c {print $3}')
        [ -n "$PG_PORT" ] || die "cluster $PG_CLUSTER not found"
        DB_HOST=127.0.0.1
        DB_PORT=$PG_PORT
        DB_USER=$DB_NAME
        DB_PASSWORD=$(openssl rand -hex 16)
        APP_USER=${DB_NAME}_app
        APP_PASSWORD=$(openssl rand -hex 16)
        # The passwords go through stdin, not the command line. The owner (Flyway, the data load and
        # the pgbench ceiling) bypasses row-level security, to load and read every user's rows;
        # Parley itself runs as the runtime role, under the policies (README "Database roles").
        as_postgres "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres >/dev/null <<SQL
CREATE ROLE $DB_NAME LOGIN BYPASSRLS PASSWORD '$DB_PASSWORD';
CREATE ROLE $APP_USER LOGIN PASSWORD '$APP_PASSWORD';
SQL
        ROLE_CREATED=1
        admin_sql "CREATE DATABASE $DB_NAME OWNER $DB_NAME" >/dev/null
        DB_CREATED=1
        as_postgres "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d "$DB_NAME" >/dev/null <<SQL
ALTER FUNCTION texticlike(text, text) LEAKPROOF;
ALTER FUNCTION ts_match_vq(tsvector, tsquery) LEAKPROOF;
SQL
        log "PostgreSQL $PG_CLUSTER on port $PG_PORT: database and role $DB_NAME"
    fi
    JDBC_URL="jdbc:postgresql://$DB_HOST:$DB_PORT/$DB_NAME"
    if [ -n "${PARLEY_BENCH_JDBC_URL:-}" ]; then
        # As README "Database roles" asks of a DBA; needs a superuser, else text filters run slower.
        bench_psql -c "ALTER FUNCTION texticlike(text, text) LEAKPROOF" \
            -c "ALTER FUNCTION ts_match_vq(tsvector, tsquery) LEAKPROOF" >/dev/null 2>&1 \
            || log "could not mark texticlike/ts_match_vq LEAKPROOF (not a superuser): text filters will be slower"
    fi
}

# ---------------------------------------------------------------- Parley ------------------------
free_port() {
    local port i
    for ((i = 0; i < 100; i++)); do
        # Below Linux's ephemeral range (32768 and up by default), where a client connection's local
        # port could take it between this check and Parley's bind.
        port=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# default_java_opts: the production JVM options (src/main/jvm/jvm.options, the file the container
# images pass to java as @jvm.options; README "JVM options"), plus -XX:AOTCache=app.aot when the
# build produced the AOT cache (target/quarkus-app/app.aot, trained by ./mvnw verify), as the image does.
default_java_opts() {
    local opts
    opts=$(sed -e 's/#.*//' src/main/jvm/jvm.options | xargs)
    if [ -f target/quarkus-app/app.aot ]; then
        opts="$opts -XX:AOTCache=app.aot"
    fi
    echo "$opts"
}

# start_parley LOG [VAR=VALUE...]: starts the prod jar from its directory (APP_DIR, default the
# jar's: target/quarkus-app), as the image does from /deployments, so that a relative
# -XX:AOTCache=app.aot finds the cache; the subshell and env(1) exec java, so $! is the JVM's PID.
start_parley() {
    local logfile=$1 dir=${APP_DIR:-$(dirname "$JAR")}
    shift
    (cd "$dir" && exec env QUARKUS_DATASOURCE_JDBC_URL="$JDBC_URL" \
        QUARKUS_DATASOURCE_USERNAME="$APP_USER" \
        QUARKUS_DATASOURCE_PASSWORD="$APP_PASSWORD" \
        QUARKUS_FLYWAY_USERNAME="$DB_USER" \
        QUARKUS_FLYWAY_PASSWORD="$DB_PASSWORD" \
        MP_JWT_VERIFY_PUBLICKEY_LOCATION="$WORK/publicKey.pem" \
        PARLEY_PAGINATION_CURSOR_KEY="$CURSOR_KEY" \
        QUARKUS_HTTP_HOST=127.0.0.1 \
        QUARKUS_HTTP_PORT="$PORT" \
        PARLEY_RATE_LIMIT_WRITES_PER_MINUTE=0 \
        PARLEY_RATE_LIMIT_CHAT_PER_MINUTE=0 \
        PARLEY_RATE_LIMIT_READS_PER_MINUTE=0 \
        PARLEY_ASSISTANT_PROVIDER=rules \
        QUARKUS_LOG_CATEGORY__DEV_PARLEY_ACCESS__LEVEL=WARN \
        "$@" "$JAVA_HOME/bin/java" $JAVA_OPTS -jar quarkus-run.jar) >"$logfile" 2>&1 &
    PARLEY_PID=$!
}

# wait_authenticated LOG SECONDS: polls an authenticated request until it answers 200.
wait_authenticated() {
    local logfile=$1 limit=$2 deadline code
    deadline=$(($(date +%s) + limit))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if ! kill -0 "$PARLEY_PID" 2>/dev/null; then
            tail -n 30 "$logfile" >&2
            die "Parley exited during start-up (log above)"
        fi
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' -H "Authorization: Bearer $TOKEN1" \
            "http://127.0.0.1:$PORT/api/conversations?page_size=1" || true)
        if [ "$code" = 200 ]; then
            return 0
        fi
        if [ "$code" = 401 ] || [ "$code" = 403 ]; then
            tail -n 30 "$logfile" >&2
            die "Parley refuses the benchmark's token ($code): issuer or key mismatch"
        fi
        sleep 0.02
    done
    tail -n 30 "$logfile" >&2
    die "Parley did not answer an authenticated request within ${limit}s"
}

stop_parley() {
    stop_pid "$PARLEY_PID" 30
    PARLEY_PID=""
}


json_field() { # FILE FIELD: a string field of a flat-enough JSON answer
    sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" "$1" | head -n 1
}

kv() { # LINE KEY
    tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -n 1
}

# run_wrk SCRIPT SECONDS OUT: wrk with bench/wrk/SCRIPT.lua against Parley, output to OUT.
run_wrk() {
    start_wrk "$@"
    wait_child || true
}

# start_wrk SCRIPT SECONDS OUT: the same in the background (CHILD_PID; wait_child waits for it).
start_wrk() {
    BENCH_DATA="$WORK" BENCH_WRK_DIR="$BENCH_DIR/wrk" start_child wrk -t "$THREADS" -c "$CONNECTIONS" \
        -d "${2}s" --timeout "$WRK_TIMEOUT" -s "$BENCH_DIR/wrk/$1.lua" "http://127.0.0.1:$PORT" >"$3" 2>&1
}


# ---------------------------------------------------------------- steps shared by both scripts --
# build_jar: builds target/quarkus-app when it is older than src/ or pom.xml; sets JAR, JAR_SIZE,
# JAR_BYTES.
build_jar() {
    JAR=target/quarkus-app/quarkus-run.jar
    # Not the jar's own time: ./mvnw verify sets the jars' times to 1970 for the AOT cache (pom.xml).
    local stamp=target/quarkus-app/quarkus-app-dependencies.txt
    if [ ! -f "$JAR" ] || [ ! -f "$stamp" ] || [ -n "$(find src pom.xml -newer "$stamp" -print -quit)" ]; then
        log "building the jar (./mvnw package -DskipTests)"
        run_child ./mvnw -B -ntp -q package -DskipTests
    else
        log "jar is up to date"
    fi
    if [ -f target/quarkus-app/app.aot ]; then
        log "AOT cache: target/quarkus-app/app.aot ($(du -h target/quarkus-app/app.aot | cut -f1))"
    else
        log "no AOT cache (./mvnw verify trains target/quarkus-app/app.aot): start-up will be slower"
    fi
    JAR_SIZE=$(du -sh target/quarkus-app | cut -f1)
    JAR_BYTES=$(du -sb target/quarkus-app | cut -f1)
}

# make_keys_and_tokens: an RSA key pair and a cursor key in $WORK, and a JWT for user-1..user-$USERS
# ($WORK/tokens.txt, line i = user-i) and for bench-heavy; sets ISSUER, CURSOR_KEY, TOKEN1,
# HEAVY_TOKEN.
make_keys_and_tokens() {
    local t0
    ISSUER=$(sed -n 's/^mp\.jwt\.verify\.issuer=//p' src/main/resources/application.properties | head -n 1)
    ISSUER=${ISSUER:-https://parley.local/issuer}
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/privateKey.pem" 2>/dev/null
    openssl pkey -in "$WORK/privateKey.pem" -pubout -out "$WORK/publicKey.pem"
    CURSOR_KEY=$(openssl rand -hex 32)
    t0=$(date +%s%N)
    { seq 1 "$USERS" | sed 's/^/user-/'; echo bench-heavy; } \
        | "$JAVA_HOME/bin/java" "$BENCH_DIR/SignTokens.java" "$WORK/privateKey.pem" "$ISSUER" 7200 \
        >"$WORK/all-tokens.txt"
    head -n "$USERS" "$WORK/all-tokens.txt" >"$WORK/tokens.txt"
    HEAVY_TOKEN=$(sed -n "$((USERS + 1))p" "$WORK/all-tokens.txt")
    TOKEN1=$(head -n 1 "$WORK/tokens.txt")
    [ "$(wc -l <"$WORK/tokens.txt")" -eq "$USERS" ] && [ -n "$HEAVY_TOKEN" ] || die "token signing failed"
    log "signed $((USERS + 1)) tokens (issuer $ISSUER) in $((($(date +%s%N) - t0) / 1000000)) ms"
}

# make_api_keys: one read-only API key per user, inserted as the service stores them (SHA-256 of
# the key); $WORK/api-keys.txt line i = user-i's key. Sets API_KEY1.
make_api_keys() {
    bench_psql -Atc "INSERT INTO api_key (user_id, id, name, scopes, prefix, secret_hash, created_at)
        SELECT 'user-' || u, md5('parley-bench/key/' || u)::uuid, 'bench', 'read', left(k, 12),
               sha256(convert_to(k, 'UTF8')), now()
        FROM (SELECT u, 'pk_live_' || left(translate(encode(sha512(convert_to('parley-bench/key/' || u, 'UTF8')),
                     'base64'), '+/=' || chr(10), 'xyz'), 43) AS k
              FROM generate_series(1, $USERS) u) keys" >/dev/null
    bench_psql -Atc "SELECT 'pk_live_' || left(translate(encode(sha512(convert_to('parley-bench/key/' || u, 'UTF8')),
        'base64'), '+/=' || chr(10), 'xyz'), 43) FROM generate_series(1, $USERS) u ORDER BY u" >"$WORK/api-keys.txt"
    API_KEY1=$(head -n 1 "$WORK/api-keys.txt")
    [ "$(wc -l <"$WORK/api-keys.txt")" -eq "$USERS" ] || die "API key setup failed"
}

# load_data: bench/generate.sql into the (migrated) database, then $WORK/convs.txt (line
# (u-1)*convs + n = user-u's n-th conversation, the wrk scripts' targets); sets LOAD_MS, ROWS,
# DB_SIZE, CONV1.
load_data() {
    local t0
    log "loading data: $USERS users x $CONVS conversations x $MSGS messages + 1 conversation of $HEAVY messages"
    t0=$(date +%s%N)
    bench_psql -v users="$USERS" -v convs="$CONVS" -v msgs="$MSGS" -v heavy="$HEAVY" -f "$BENCH_DIR/generate.sql"
    LOAD_MS=$((($(date +%s%N) - t0) / 1000000))
    ROWS=$(bench_psql -Atc "SELECT (SELECT count(*) FROM conversation) || ' conversations, ' || (SELECT count(*) FROM message) || ' messages'")
    DB_SIZE=$(bench_psql -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")
    log "loaded $ROWS ($DB_SIZE) in $((LOAD_MS / 1000)).$(((LOAD_MS % 1000) / 100)) s (insert + VACUUM ANALYZE)"

    # Targets for wrk: conversation ids in user order (line (u-1)*convs + n = user-u's n-th).
    bench_psql -Atc "SELECT md5('parley-bench/user-' || u || '/' || c)::uuid FROM generate_series(1, $USERS) u,
        generate_series(1, $CONVS) c ORDER BY u, c" >"$WORK/convs.txt"
    CONV1=$(head -n 1 "$WORK/convs.txt")
}
