#!/usr/bin/env bash
# A real PostgreSQL + PgBouncer (transaction pooling), driven by pgbench at open (--rate) and
# closed (-c) load levels, with a query that spends real database CPU. Writes measurements that
# Headroom calibrates from (see docs/testbed.md for the formats and how the test uses them).
#
#   scripts/testbed/pg.sh OUT_DIR
#
# Environment (defaults in brackets):
#   TESTBED_POOL           PgBouncer server connections (default_pool_size)          [4]
#   TESTBED_SECONDS        seconds per measured level                               [10]
#   TESTBED_REPEATS        runs of each level (interleaved: all levels, then again)  [3]
#   TESTBED_QUERY_MS       target no-queue time of one query, milliseconds           [5]
#   TESTBED_LOW_RATE       open rate of the low-load level, as a fraction           
#                          of nominal capacity cores / no-queue time                 [0.08]
#   TESTBED_LOW_SECONDS    seconds of each low-load and calibration (one client) run  [12]
#   TESTBED_LEVELS         measured levels: open:F (offered load F x nominal capacity) and
#                          closed:N (N pgbench clients back to back), each optionally :pP for
#                          a PgBouncer pool of P server connections instead of TESTBED_POOL
#                          [open:0.5 open:0.75 closed:3 closed:12 closed:6:p1]
#   TESTBED_OPEN_CLIENTS   pgbench clients (PgBouncer client connections) at open levels [16]
#   TESTBED_NICE           niceness of the servers and pgbench (e.g. -10 to shield them from
#                          other work on a shared machine; 0 on a dedicated CI machine)    [0]
#
# Installs postgresql, postgresql-contrib, postgresql-client and pgbouncer from Debian packages
# if missing. Every server runs on loopback with a private data directory, port and socket
# directory, as the postgres user, and is stopped by its PID on exit, failure included.
set -euo pipefail
out=${1:?usage: scripts/testbed/pg.sh OUT_DIR}
pool=${TESTBED_POOL:-4}
seconds=${TESTBED_SECONDS:-10}
repeats=${TESTBED_REPEATS:-3}
query_ms=${TESTBED_QUERY_MS:-5}
low_fraction=${TESTBED_LOW_RATE:-0.08}
low_seconds=${TESTBED_LOW_SECONDS:-12}
levels=${TESTBED_LEVELS:-open:0.5 open:0.75 closed:3 closed:12 closed:6:p1}
pools=$pool  # every pool size some level uses: one PgBouncer database (bench_pP) per size
for level in $levels; do
    IFS=: read -r kind value level_pool <<<"$level"
    [[ ($kind == open || $kind == closed) && $value =~ ^[0-9.]+$ && ( -z $level_pool || $level_pool =~ ^p[0-9]+$ ) ]] \
        || { echo "pg.sh: bad level \`$level\` in TESTBED_LEVELS (open:FRACTION[:pPOOL] or closed:CLIENTS[:pPOOL])" >&2; exit 2; }
    [[ -n $level_pool && " $pools " != *" ${level_pool#p} "* ]] && pools="$pools ${level_pool#p}"
done
open_clients=${TESTBED_OPEN_CLIENTS:-16}
niceness=${TESTBED_NICE:-0}
# The newest PostgreSQL the Debian packages installed (15 on bookworm).
newest_pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
pgbin=$(newest_pgbin)
log() { printf '[testbed %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- install what is missing ------------------------------------------------------------------
if [[ -z $pgbin || ! -x $pgbin/postgres || ! -x /usr/bin/pgbench || ! -x /usr/sbin/pgbouncer \
      || ! -f $pgbin/../lib/pg_stat_statements.so ]]; then
    log "installing postgresql postgresql-contrib postgresql-client pgbouncer"
    # Another apt may hold the lock for a while (a fresh CI machine runs unattended upgrades).
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                -o DPkg::Lock::Timeout=120 postgresql postgresql-contrib postgresql-client pgbouncer \
                >/dev/null; then
            break
        fi
        [[ $attempt == 10 ]] && { log "apt-get failed"; exit 1; }
        sleep 6
    done
    pgbin=$(newest_pgbin)
fi
for tool in "$pgbin/postgres" "$pgbin/initdb" /usr/bin/pgbench /usr/bin/psql /usr/sbin/pgbouncer; do
    [[ -x $tool ]] || { log "missing $tool after install"; exit 1; }
done
nproc_all=$(nproc)

# --- private directories, ports, servers (stopped by PID on exit) ------------------------------
work=$(mktemp -d /tmp/headroom-testbed.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/run" "$out"
chown postgres: "$work/run"
pg_pid=""; bouncer_pid=""
stop_servers() {
    local status=$?
    set +e
    # PgBouncer: SIGINT waits for clients ("safe shutdown"), SIGTERM closes at once.
    if [[ -n $bouncer_pid ]] && kill -0 "$bouncer_pid" 2>/dev/null; then
        kill -TERM "$bouncer_pid"
        for _ in $(seq 50); do kill -0 "$bouncer_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$bouncer_pid" 2>/dev/null && kill -KILL "$bouncer_pid"
    fi
    # PostgreSQL: SIGINT is a fast shutdown (rolls back open transactions, checkpoints).
    if [[ -n $pg_pid ]] && kill -0 "$pg_pid" 2>/dev/null; then
        kill -INT "$pg_pid"
        for _ in $(seq 100); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pg_pid" 2>/dev/null && kill -QUIT "$pg_pid"
    fi
    rm -rf "$work"
    exit $status
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

free_port() {  # a loopback TCP port nobody listens on
    local port
    for _ in $(seq 200); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "$port"; return; fi
    done
    log "no free port"; exit 1
}
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }  # not for `&`

pg_port=$(free_port)
log "initdb in $work/run/data"
as_postgres "$pgbin/initdb" -D "$work/run/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
# setpriv execs (called directly, not through a function, which would fork a subshell), so $!
# is the postmaster itself. No fsync (measurements are CPU-bound reads);
# JIT off so the first executions of a query are not slowed by compilation.
nice -n "$niceness" setpriv --reuid=postgres --regid=postgres --init-groups -- "$pgbin/postgres" -D "$work/run/data" -c listen_addresses=127.0.0.1 -c port="$pg_port" \
    -c unix_socket_directories="$work/run" -c shared_preload_libraries=pg_stat_statements \
    -c fsync=off -c jit=off -c max_connections=60 -c pg_stat_statements.track=top \
    >"$work/run/postgres.log" 2>&1 &
pg_pid=$!
for _ in $(seq 100); do
    "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && break
    kill -0 "$pg_pid" 2>/dev/null || { cat "$work/run/postgres.log" >&2; exit 1; }
    sleep 0.1
done
psql_pg() { psql -X -q -A -t -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }
psql_pg -d postgres -c "CREATE DATABASE bench" >/dev/null
psql_pg -d bench -c "CREATE EXTENSION pg_stat_statements" >/dev/null

bouncer_port=$(free_port)
cat >"$work/run/userlist.txt" <<EOF
"postgres" ""
EOF
cat >"$work/run/pgbouncer.ini" <<EOF
[databases]
$(for p in $pools; do echo "bench_p$p = host=127.0.0.1 port=$pg_port dbname=bench pool_size=$p"; done)
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $work/run/userlist.txt
pool_mode = transaction
default_pool_size = $pool
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 400
query_wait_timeout = 120
server_idle_timeout = 600
logfile = $work/run/pgbouncer.log
ignore_startup_parameters = extra_float_digits
EOF
chown postgres: "$work/run/userlist.txt" "$work/run/pgbouncer.ini"
nice -n "$niceness" setpriv --reuid=postgres --regid=postgres --init-groups -- /usr/sbin/pgbouncer -q "$work/run/pgbouncer.ini" &
bouncer_pid=$!
for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$bouncer_port) 2>/dev/null && break
    kill -0 "$bouncer_pid" 2>/dev/null || { cat "$work/run/pgbouncer.log" >&2; exit 1; }
    sleep 0.1
done
log "postgres pid $pg_pid port $pg_port; pgbouncer pid $bouncer_pid port $bouncer_port, pool $pool, transaction mode"

# --- the query: sum a generated series in memory (pure backend CPU) ----------------------------
# `FROM (SELECT generate_series(..) AS g)` stays in CPU; `FROM generate_series(..)` spills to a
# temporary file above ~60k rows at the default work_mem.
cpu_query() { echo "SELECT sum(g) FROM (SELECT generate_series(1, $1) AS g) s;"; }
time_query_ms() {  # mean server time of 20 executions of one query, ms (no queue, from pg_stat_statements)
    local rows=$1
    psql_pg -d bench -c "SELECT pg_stat_statements_reset()" >/dev/null
    for _ in $(seq 20); do cpu_query "$rows"; done | psql_pg -d bench >/dev/null
    psql_pg -d bench -c "SELECT round(mean_exec_time::numeric, 4) FROM pg_stat_statements
                         WHERE query LIKE 'SELECT sum(g)%' ORDER BY calls DESC LIMIT 1"
}
rows=40000
for _ in 1 2; do
    t=$(time_query_ms $rows)
    rows=$(awk -v r=$rows -v t="$t" -v want="$query_ms" 'BEGIN {printf "%d", r * want / t}')
done
t=$(time_query_ms $rows)
log "query: sum of $rows generated rows, mean $t ms alone at the server (target $query_ms ms)"
# Rows drawn uniformly in [rows/2, 3 rows/2] per transaction, so service times vary (mean about
# the target) and the calibration has a distribution to learn, not a constant.
lo=$((rows / 2)); hi=$((rows * 3 / 2))
cat >"$work/run/query.sql" <<EOF
\\set n random($lo, $hi)
SELECT sum(g) FROM (SELECT generate_series(1, :n) AS g) s;
EOF
chmod 644 "$work/run/query.sql"

# --- CPU facts the model cannot state ----------------------------------------------------------
# The same busy loop pinned to each CPU: on this kind of VM the two cores ran at different speeds.
cpu_probe() {
    local cpu
    for cpu in $(seq 0 $((nproc_all - 1))); do
        local t0 t1
        t0=$(date +%s%N)
        taskset -c "$cpu" awk 'BEGIN { for (i = 0; i < 1000000; i++) s += i }' 2>/dev/null || true
        t1=$(date +%s%N)
        printf '%s%s' "$([[ $cpu == 0 ]] || echo ' ')" "$(( (t1 - t0) / 1000000 ))"
    done
}
busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
proc_jiffies() {  # utime + stime of the given PIDs and their threads
    local total=0 pid
    for pid in "$@"; do
        [[ -r /proc/$pid/stat ]] || continue
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
    done
    echo $total
}
postgres_pids() {  # the postmaster and its backends (from /proc: no procps needed)
    local d
    for d in /proc/[0-9]*; do
        [[ $(cat "$d/comm" 2>/dev/null) == postgres ]] && echo "${d#/proc/}"
    done
    return 0
}
hz=$(getconf CLK_TCK)

# --- one load level ------------------------------------------------------------------------
# run_level NAME MODE(open|closed) CLIENTS RATE(per second; empty for closed) POOL SECONDS REP
summary="$out/levels.csv"
echo "level,rep,mode,clients,offered_rate_per_second,pool,cores,seconds,transactions,throughput_per_second,mean_ms,p50_ms,p95_ms,p99_ms,max_ms,errors,error_share,pg_exec_mean_ms,pg_calls,busy_cores,testbed_cores,other_work_share,pgbench_cpu_ms_per_tx,pgbouncer_cpu_ms_per_tx,postgres_cpu_ms_per_tx,load_average,cpu_probe_ms" >"$summary"
mkdir -p "$out/pgbench" "$out/pg_stat_statements"
run_level() {
    local name=$1 mode=$2 clients=$3 rate=$4 level_pool=$5 secs=$6 rep=$7
    local prefix="$work/log-$name-$rep"
    local args=(-n -f "$work/run/query.sql" -T "$secs" -c "$clients" -j 1
        -h 127.0.0.1 -p "$bouncer_port" -U postgres -l --log-prefix="$prefix")
    [[ $mode == open ]] && args+=(-R "$rate")
    psql_pg -d bench -c "SELECT pg_stat_statements_reset()" >/dev/null
    local probe b0 b1 pg0 pg1 bo0 bo1 pb0 wall0 wall1 stdout
    probe=$(cpu_probe)
    b0=$(busy_jiffies); bo0=$(proc_jiffies "$bouncer_pid"); pg0=$(proc_jiffies $(postgres_pids))
    wall0=$(date +%s%N)
    stdout="$work/pgbench-$name-$rep.out"
    # In the foreground: `time` gives pgbench's own CPU seconds (user + system).
    local TIMEFORMAT='%U %S' times
    { time nice -n "$niceness" pgbench "${args[@]}" "bench_p$level_pool" >"$stdout" 2>&1; } 2>"$work/time.out" \
        || { cat "$stdout" >&2; log "pgbench failed at $name"; exit 1; }
    times=$(tail -1 "$work/time.out")
    pb0=$(awk -v t="$times" -v hz="$hz" 'BEGIN { split(t, a, " "); printf "%d", (a[1] + a[2]) * hz }')
    wall1=$(date +%s%N)
    b1=$(busy_jiffies); bo1=$(proc_jiffies "$bouncer_pid"); pg1=$(proc_jiffies $(postgres_pids))
    # pgbench -l (one thread): client_id tx_no latency_us script_no epoch_s epoch_us [schedule_lag_us];
    # with --rate the latency counts from the scheduled start, so it includes the lag.
    local logfile="$out/pgbench/$name-$rep.log"
    cat "$prefix".* >"$logfile"
    rm -f "$prefix".*
    local failed
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$stdout"); failed=${failed:-0}
    # The run's pg_stat_statements as a CSV export (what `headroom import pg-stat-statements` reads).
    psql_pg -d bench -c "\\copy (SELECT queryid, calls, total_exec_time, mean_exec_time, stddev_exec_time,
        min_exec_time, max_exec_time, rows, query FROM pg_stat_statements
        WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC) TO '$out/pg_stat_statements/$name-$rep.csv' CSV HEADER"
    local pgs; pgs=$(psql_pg -d bench -F, -c "SELECT round(mean_exec_time::numeric, 4), calls FROM pg_stat_statements WHERE query LIKE 'SELECT sum(g)%' ORDER BY calls DESC LIMIT 1")
    [[ -n $pgs ]] || pgs=","
    local n; n=$(grep -vc skipped "$logfile" || true)
    local stats
    stats=$(grep -v skipped "$logfile" | awk '{ print $3 / 1000 }' | sort -g | awk -v n="$n" '
        { a[NR] = $1; s += $1 }
        function q(p,  k) { k = int(p * n + 0.999999); if (k < 1) k = 1; return a[k] }
        END { if (n == 0) { print "0,0,0,0,0"; exit }
              printf "%.3f,%.3f,%.3f,%.3f,%.3f", s / n, q(0.5), q(0.95), q(0.99), a[n] }')
    local elapsed; elapsed=$(awk -v a="$wall0" -v b="$wall1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    local row
    # CPU in the run, in cores: the whole machine's busy time and the testbed's own (postgres,
    # pgbouncer, pgbench); the rest is other work sharing the machine, which the model cannot know.
    local row
    row=$(awk -v n="$n" -v secs="$secs" -v f="$failed" -v b0="$b0" -v b1="$b1" -v hz="$hz" \
        -v el="$elapsed" -v cores="$nproc_all" -v pb="$pb0" -v bo=$((bo1 - bo0)) -v pg=$((pg1 - pg0)) '
        BEGIN { tot = n + f; per = (n > 0 ? 1000 / hz / n : 0)
                busy = (b1 - b0) / hz / el; own = (pb + bo + pg) / hz / el
                other = busy - own; if (other < 0) other = 0
                printf "%.3f,%d,%.5f,%.3f,%.3f,%.3f,%.4f,%.4f,%.4f",
                    n / secs, f, (tot > 0 ? f / tot : 0), busy, own, other / cores,
                    pb * per, bo * per, pg * per }')
    local tps err share busy own other cpu_pb cpu_bo cpu_pg
    IFS=, read -r tps err share busy own other cpu_pb cpu_bo cpu_pg <<<"$row"
    local la; la=$(cut -d' ' -f1 /proc/loadavg)
    echo "$name,$rep,$mode,$clients,${rate:-},$level_pool,$nproc_all,$secs,$n,$tps,$stats,$err,$share,$pgs,$busy,$own,$other,$cpu_pb,$cpu_bo,$cpu_pg,$la,$probe" >>"$summary"
    log "$name rep $rep: $n tx, $tps/s, mean/p50/p95/p99/max ms $stats, errors $err, pg exec mean ${pgs%,*} ms, cores busy $busy (testbed $own; other work $other of the machine), probe $probe ms"
}

# Warm-up: opens every server connection of every pool and warms caches (not recorded).
for p in $pools; do
    nice -n "$niceness" pgbench -n -f "$work/run/query.sql" -T 2 -c "$p" -j 1 -h 127.0.0.1 \
        -p "$bouncer_port" -U postgres "bench_p$p" >/dev/null 2>&1
done

# The low-load level's rate: a quick closed probe with one client (no queue at all) gives the
# time of a transaction through PgBouncer, t1; the low level offers low_fraction x cores / t1.
# The open levels are placed from the first low-load run's measured mean latency, the same
# figure the calibration starts from: nominal capacity = cores / mean no-queue time.
t1=$(nice -n "$niceness" pgbench -n -f "$work/run/query.sql" -T 3 -c 1 -j 1 -h 127.0.0.1 -p "$bouncer_port" \
        -U postgres "bench_p$pool" 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p')
[[ -n $t1 ]] || { log "the one-client probe failed"; exit 1; }
low_rate=$(awk -v c="$nproc_all" -v t="$t1" -v f="$low_fraction" 'BEGIN { printf "%.1f", f * c * 1000 / t }')
log "one client alone: $t1 ms per transaction; low-load level at $low_rate/s"
capacity=""
for rep in $(seq 1 "$repeats"); do
    run_level low open "$open_clients" "$low_rate" "$pool" "$low_seconds" "$rep"
    # The calibration level: one pgbench client back to back, so one query at a time and no
    # queue anywhere, with the cores kept awake. At the low level's sparse arrivals each query
    # finds idle cores; on some machines the same query then takes 10-30 % longer than when the
    # cores are busy (CPU idle states and frequency: 5.70 ms against 4.45 ms in a CI run), a
    # property of the machine at that load, not of the queues the model simulates.
    run_level alone closed 1 "" "$pool" "$low_seconds" "$rep"
    if [[ -z $capacity ]]; then
        capacity=$(awk -F, -v c="$nproc_all" 'END { printf "%.3f", c * 1000 / $11 }' "$summary")
        log "nominal capacity $capacity/s ($nproc_all cores / the low-load mean latency)"
        {
            echo "pool=$pool"
            echo "cores=$nproc_all"
            echo "rows_low=$lo"
            echo "rows_high=$hi"
            echo "mean_server_ms_alone=$t"
            echo "one_client_ms=$t1"
            echo "low_rate_per_second=$low_rate"
            echo "nominal_capacity_per_second=$capacity"
            echo "seconds=$seconds"
            echo "low_seconds=$low_seconds"
            echo "repeats=$repeats"
            echo "open_clients=$open_clients"
            echo "niceness=$niceness"
            echo "levels=$levels"
            echo "postgres=$("$pgbin/postgres" --version)"
            echo "pgbouncer=$(/usr/sbin/pgbouncer --version | head -1)"
            echo "cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
            echo "query=SELECT sum(g) FROM (SELECT generate_series(1, n) AS g) s with n uniform in [$lo, $hi]"
        } >"$out/setup.txt"
    fi
    for level in $levels; do
        IFS=: read -r kind value level_pool <<<"$level"
        level_pool=${level_pool#p}; level_pool=${level_pool:-$pool}
        suffix=""; [[ $level_pool == "$pool" ]] || suffix="-p$level_pool"
        case $kind in
            open)
                rate=$(awk -v c="$capacity" -v f="$value" 'BEGIN { printf "%.1f", c * f }')
                run_level "open-$value$suffix" open "$open_clients" "$rate" "$level_pool" "$seconds" "$rep" ;;
            closed)
                run_level "closed-$value$suffix" closed "$value" "" "$level_pool" "$seconds" "$rep" ;;
        esac
    done
done
log "wrote $summary, $out/setup.txt and the pgbench logs in $out/pgbench/"
