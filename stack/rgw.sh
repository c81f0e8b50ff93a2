# shellcheck shell=bash
#
# rgw.sh - throw-away one-node Ceph RADOS Gateway (S3) on 127.0.0.1,
# for tests and local runs. Source it; sourcing only defines functions.
#
#   rgw_start DIR PORT  Wipe DIR, start ceph-mon, one memstore OSD and
#                       radosgw (beast on 127.0.0.1:PORT), create the S3
#                       user and bucket, wait until a signed S3 request
#                       works. Then exports RGW_ENDPOINT, RGW_ACCESS_KEY,
#                       RGW_SECRET_KEY, RGW_BUCKET, RGW_REGION. On failure:
#                       log tails on stderr, everything stopped, returns 1.
#   rgw_stop DIR        Stop radosgw, OSD, mon of DIR (TERM, up to 5 s,
#                       then KILL). Safe to call when nothing runs.
#   rgw_pause DIR       Stop only radosgw ("S3 is down").
#   rgw_resume DIR      Start radosgw again (same port, same data) and wait
#                       until S3 answers; re-exports the RGW_* variables.
#
# Optional knobs (environment): RGW_START_TIMEOUT (s, default 60),
# RGW_MEMSTORE_BYTES (OSD capacity, in RAM, default 1 GiB),
# RGW_VERBOSE=1 prints timed progress lines on stderr.
#
# S3 clients must send the x-amz-content-sha256 header (body SHA-256 or
# UNSIGNED-PAYLOAD): without it RGW assumes UNSIGNED-PAYLOAD, and a
# signature made over the real body hash (curl 7.88 --aws-sigv4 does that
# but omits the header) fails with 403 SignatureDoesNotMatch.
#
# All state lives in DIR: ceph.conf, mon/osd data (DIR/data), logs
# (DIR/log), pid files and admin sockets (DIR/run). /etc/ceph, /var/lib/ceph
# and /var/run/ceph are never used: every ceph tool gets -c DIR/ceph.conf
# and that file sets every path. The OSD uses memstore, so data lives in
# RAM and nothing survives rgw_stop; rgw_start therefore always starts fresh.
#
# The daemons are disowned background children of the shell calling
# rgw_start (so a bare `wait` in the caller does not hang on them). Call
# rgw_stop from that same shell when you can: the parent reaps its dead
# children at once, while orphans wait for PID 1, which in some containers
# reaps late (they show up as <defunct> in pgrep meanwhile). rgw_stop works
# from any shell, though: it finds the daemons by the PIDs in DIR/run.
#
# Meant to be safe under a caller's `set -euo pipefail`: commands that may
# fail are always tested in a condition and no pipeline ends early.

# ---------------------------------------------------------------- helpers

_rgw_err() { printf 'rgw.sh: %s\n' "$*" >&2; }

# Microseconds since the epoch (EPOCHREALTIME; its separator follows the
# locale, so strip every non-digit).
_rgw_usec() { echo "${EPOCHREALTIME//[!0-9]/}"; }

# Progress line with seconds since _RGW_T0 (a local of the caller), only
# when RGW_VERBOSE=1.
_rgw_say() {
    [[ ${RGW_VERBOSE:-0} == 1 ]] || return 0
    local cs=$(( ($(_rgw_usec) - ${_RGW_T0:-0}) / 10000 ))
    printf 'rgw.sh: [%d.%02ds] %s\n' $((cs / 100)) $((cs % 100)) "$*" >&2
}

_rgw_now() { printf '%(%s)T' -1; }      # epoch seconds, no fork

# Absolute DIR without trailing slash. Refuse "/" and whitespace (ceph.conf
# values cannot quote it).
_rgw_dir() {
    local d=${1:-}
    if [[ -z $d ]]; then _rgw_err "DIR argument missing"; return 1; fi
    [[ $d == /* ]] || d=$PWD/$d
    while [[ $d == */ && $d != / ]]; do d=${d%/}; done
    if [[ $d == / || $d =~ [[:space:]] ]]; then
        _rgw_err "unsuitable DIR '$d'"; return 1
    fi
    printf '%s\n' "$d"
}

_rgw_port_ok() { [[ ${1:-} =~ ^[0-9]+$ ]] && (($1 > 0 && $1 < 65536)); }

# True if something already listens on the TCP port.
_rgw_port_busy() {
    local out
    if command -v ss >/dev/null 2>&1; then
        out=$(ss -Hltn "sport = :$1" 2>/dev/null) || out=
        [[ -n $out ]]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

_rgw_port_free() { ! _rgw_port_busy "$1"; }

# Print the first free port in [$1, $1+200).
_rgw_free_port() {
    local p=$1
    while ((p < $1 + 200 && p < 65536)); do
        if ! _rgw_port_busy "$p"; then echo "$p"; return 0; fi
        p=$((p + 1))
    done
    _rgw_err "no free port in $1..$((p - 1))"; return 1
}

# ------------------------------------------------------- processes by pid

# True if PID runs (not a zombie) and its argv holds DIR's ceph.conf, so a
# recycled PID of an unrelated process is never signalled.
_rgw_pid_ours() {
    local pid=$1 conf=$2 stat arg
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }                     # drop "pid (comm) "
    [[ ${stat%% *} != Z ]] || return 1
    local -a argv=()
    { mapfile -d '' -t argv <"/proc/$pid/cmdline"; } 2>/dev/null || return 1
    for arg in "${argv[@]}"; do
        [[ $arg == "$conf" ]] && return 0
    done
    return 1
}

# PID recorded for daemon NAME (mon, osd, rgw); empty if none.
_rgw_pid() {
    local pid=
    { read -r pid <"$1/run/$2.pid"; } 2>/dev/null || true
    echo "$pid"
}

# True if PID listens on TCP PORT. ss shows the owning PID, so a different
# process that happens to hold the port does not count.
_rgw_listening() {
    local pid=$1 port=$2 out
    [[ -n $pid ]] || return 1
    if command -v ss >/dev/null 2>&1; then
        out=$(ss -Hltnp "sport = :$port" 2>/dev/null) || return 1
        [[ $out == *"pid=$pid,"* ]]
    else
        _rgw_port_busy "$port"
    fi
}

# Start a daemon in the background; stdout/stderr go to DIR/log/NAME.out,
# its PID to DIR/run/NAME.pid (ceph's own pid files are ceph-*.pid).
# The subshell closes inherited descriptors above 2 before exec: a daemon
# holding e.g. bats' fd 3 or a caller's pipe would make the caller hang.
_rgw_spawn() {
    local dir=$1 name=$2 pid
    shift 2
    (
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            if ((fd > 2)); then { exec {fd}>&-; } 2>/dev/null || true; fi
        done
        exec "$@"
    ) </dev/null >>"$dir/log/$name.out" 2>&1 &
    pid=$!
    disown "$pid" 2>/dev/null || true
    echo "$pid" >"$dir/run/$name.pid"
}

# Wait up to N tenths of a second until none of the PIDs is ours/alive.
_rgw_wait_gone() {
    local conf=$1 n=$2 pid alive
    shift 2
    while :; do
        alive=0
        for pid in "$@"; do
            if _rgw_pid_ours "$pid" "$conf"; then alive=1; fi
        done
        ((alive)) || return 0
        ((n-- > 0)) || return 1
        sleep 0.1
    done
}

# TERM the PIDs, wait up to 5 s for them to go, then KILL what is left.
_rgw_term_pids() {
    local conf=$1 pid
    shift
    for pid in "$@"; do
        if _rgw_pid_ours "$pid" "$conf"; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    _rgw_wait_gone "$conf" 50 "$@" && return 0
    for pid in "$@"; do
        if _rgw_pid_ours "$pid" "$conf"; then
            _rgw_err "pid $pid ignored TERM for 5 s, sending KILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    _rgw_wait_gone "$conf" 20 "$@" || true
}

# Stop the daemon whose PID is in DIR/run/NAME.pid.
_rgw_stop_daemon() {
    [[ -f $1/run/$2.pid ]] || return 0
    _rgw_term_pids "$1/ceph.conf" "$(_rgw_pid "$1" "$2")"
    rm -f "$1/run/$2.pid"
}

# Any other process still running with "-c DIR/ceph.conf" (a hung
# radosgw-admin or ceph CLI, a daemon whose pid file got lost).
_rgw_stragglers() {
    local conf=$1 p
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        if [[ $p != "$$" && $p != "$BASHPID" ]] && _rgw_pid_ours "$p" "$conf"; then
            echo "$p"
        fi
    done
}

# Fail fast if a daemon recorded in DIR/run died during start-up.
_rgw_daemons_alive() {
    local dir=$1 name pid
    for name in mon osd rgw; do
        [[ -f $dir/run/$name.pid ]] || continue
        pid=$(_rgw_pid "$dir" "$name")
        if ! _rgw_pid_ours "$pid" "$dir/ceph.conf"; then
            _rgw_err "$name (pid $pid) died; see $dir/log"
            return 1
        fi
    done
}

# Poll CMD every 0.1 s until it succeeds; give up at DEADLINE or when a
# daemon dies.
_rgw_wait() {
    local dir=$1 deadline=$2 what=$3
    shift 3
    until "$@"; do
        _rgw_daemons_alive "$dir" || return 1
        if (($(_rgw_now) >= deadline)); then
            _rgw_err "timed out waiting for $what"; return 1
        fi
        sleep 0.1
    done
}

# Report a failure with the tail of every log, stop everything, return 1.
_rgw_fail() {
    local dir=$1 f
    _rgw_err "$2"
    for f in "$dir"/log/*; do
        [[ -s $f ]] || continue
        printf '==> %s (last 15 lines) <==\n' "$f" >&2
        tail -n 15 "$f" >&2 || true
    done
    rgw_stop "$dir"
    return 1
}

# ---------------------------------------------------------- configuration

# Write DIR/ceph.conf. $name etc. are expanded by ceph, not by bash.
_rgw_write_conf() {
    local dir=$1 port=$2 monport=$3 fsid=$4
    cat >"$dir/ceph.conf" <<EOF
# created by stack/rgw.sh - throw-away test cluster, wiped by rgw_start
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$monport]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
# v2 protocol only, loopback only
ms bind msgr1 = false
ms bind ipv6 = false
# no cephx: nothing to keep secret in a test cluster
auth cluster required = none
auth service required = none
auth client required = none
# keep every path inside DIR
keyring = $dir/keyring
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/ceph-\$name.pid
log file = $dir/log/\$name.log
log to stderr = false
mon cluster log file = $dir/log/cluster.log
crash dir = $dir/crash
mon data = $dir/data/\$name
osd data = $dir/data/\$name
osd journal = $dir/data/\$name/journal
rgw data = $dir/data/\$name
rgw luarocks location = $dir/luarocks
# RAM-backed OSD; the size is a cap, memory is used only for stored data
osd objectstore = memstore
memstore device bytes = ${RGW_MEMSTORE_BYTES:-1073741824}
# one OSD: replicas of 1, failure domain osd, few PGs
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
# radosgw creates ~7 pools on first start; don't let the PG cap refuse them
mon max pg per osd = 1000
mon allow pool delete = true
# the default (1 s) makes start-up take ~15 s
paxos propose interval = 0.05
# do not refuse to start on a fullish disk
mon data avail crit = 1
mon data avail warn = 2

[client]
# radosgw defaults to "secure" which cannot work with auth none; it then
# hangs logging "get_initial_auth_request returned -13"
ms mon client mode = crc secure
# CLI tools may run concurrently: one admin socket per process
admin socket = $dir/run/\$name.\$pid.asok

[client.rgw.a]
admin socket = $dir/run/\$name.asok
rgw frontends = beast endpoint=127.0.0.1:$port tcp_nodelay=1
rgw thread pool size = 64
EOF
}

# ------------------------------------------------------------ S3 via curl

# Signed S3 request; prints the HTTP status (000 when no answer).
# Usage: _rgw_s3 PORT METHOD PATH [curl args...]
# curl 7.88 signs the SHA-256 of the body but does not send the
# x-amz-content-sha256 header; RGW then assumes UNSIGNED-PAYLOAD and
# answers SignatureDoesNotMatch. Sending the header (curl signs with its
# value) fixes that; any client of this RGW must do the same.
_rgw_s3() {
    local port=$1 method=$2 path=$3 code
    shift 3
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        --aws-sigv4 "aws:amz:$RGW_REGION:s3" \
        --user "$RGW_ACCESS_KEY:$RGW_SECRET_KEY" \
        -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
        -X "$method" "$@" "http://127.0.0.1:$port$path") || true
    echo "${code:-000}"
}

# True once beast answers HTTP at all (radosgw finished its init).
_rgw_http_up() {
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/"
}

_rgw_bucket_created() {
    [[ $(_rgw_s3 "$1" PUT "/$RGW_BUCKET" -H 'Content-Length: 0') == 200 ]]
}

_rgw_bucket_ok() { [[ $(_rgw_s3 "$1" HEAD "/$RGW_BUCKET") == 200 ]]; }

# Fixed test identity; exported so child processes (tests) see it.
_rgw_export() {
    export RGW_ENDPOINT="http://127.0.0.1:$1"
    export RGW_ACCESS_KEY=imghost-test-access
    export RGW_SECRET_KEY=imghost-test-secret-key-0123456789
    export RGW_BUCKET=imghost
    export RGW_REGION=us-east-1
}

# ------------------------------------------------------------ start steps

# Stop and remove an earlier cluster in DIR. A non-empty DIR without our
# marker file is refused, so a typo in DIR cannot rm -rf something else.
_rgw_wipe_dir() {
    local dir=$1
    if [[ -e $dir && ! -d $dir ]]; then
        _rgw_err "$dir exists and is not a directory"; return 1
    fi
    [[ -d $dir && -n $(ls -A "$dir") ]] || return 0
    if [[ ! -f $dir/.rgw.sh-cluster ]] &&
        ! grep -qs '^# created by stack/rgw.sh' "$dir/ceph.conf"; then
        _rgw_err "$dir is not empty and not an rgw.sh cluster; not wiping it"
        return 1
    fi
    rgw_stop "$dir" || return 1
    rm -rf "$dir" || { _rgw_err "cannot wipe $dir"; return 1; }
}

_rgw_make_dir() {
    local dir=$1
    mkdir -p "$dir"/{run,log,data,crash} || return 1
    : >"$dir/.rgw.sh-cluster"           # marker for _rgw_wipe_dir
    : >"$dir/keyring"                   # auth is off; keeps /etc/ceph out
}

# monmap -> mon store -> running mon.
_rgw_start_mon() {
    local dir=$1 monport=$2 fsid=$3 conf=$1/ceph.conf
    monmaptool -c "$conf" --create --clobber --fsid "$fsid" \
        --addv a "[v2:127.0.0.1:$monport]" "$dir/monmap" \
        >>"$dir/log/setup.out" 2>&1 || return 1
    ceph-mon -c "$conf" -i a --mkfs --monmap "$dir/monmap" \
        >>"$dir/log/setup.out" 2>&1 || return 1
    _rgw_spawn "$dir" mon ceph-mon -c "$conf" -i a -f
}

# Write the config and start the mon on a free port near PORT+1000. The
# port is only known free when probed; another cluster starting at the
# same moment may grab it first, so on failure retry with the next one.
_rgw_bring_up_mon() {
    local dir=$1 port=$2 deadline=$3 monport try fsid
    monport=$((port < 64000 ? port + 1000 : 20000))
    for try in 1 2 3; do
        monport=$(_rgw_free_port "$monport") || return 1
        fsid=$(cat /proc/sys/kernel/random/uuid) || return 1
        echo "$port $monport" >"$dir/ports"
        _rgw_write_conf "$dir" "$port" "$monport" "$fsid" || return 1
        if _rgw_start_mon "$dir" "$monport" "$fsid" &&
            _rgw_wait "$dir" "$deadline" "ceph-mon on port $monport" \
                _rgw_listening "$(_rgw_pid "$dir" mon)" "$monport"; then
            _rgw_say "mon listening on 127.0.0.1:$monport"
            return 0
        fi
        _rgw_err "ceph-mon on port $monport failed (try $try)"
        _rgw_stop_daemon "$dir" mon
        (($(_rgw_now) < deadline)) || return 1
        rm -rf "$dir/data/mon.a"
        monport=$((monport + 1))
    done
    return 1
}

# Register osd.0 with the mon, build its (memstore) store, start it.
_rgw_start_osd() {
    local dir=$1 conf=$1/ceph.conf uuid id
    uuid=$(cat /proc/sys/kernel/random/uuid) || return 1
    # the CLI retries until the mon is up; --connect-timeout bounds it
    id=$(timeout 30 ceph -c "$conf" --connect-timeout 25 osd new "$uuid" \
        2>>"$dir/log/setup.out") || return 1
    [[ $id == 0 ]] || { _rgw_err "unexpected osd id '$id'"; return 1; }
    mkdir -p "$dir/data/osd.0" || return 1     # memstore does not create it
    ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$uuid" \
        >>"$dir/log/setup.out" 2>&1 || return 1
    _rgw_spawn "$dir" osd ceph-osd -c "$conf" -i 0 -f
}

# Start radosgw and wait until *it* (not some other server that took the
# port meanwhile) listens on PORT and answers HTTP, i.e. its init is done.
_rgw_start_radosgw() {
    local dir=$1 port=$2 deadline=$3
    _rgw_spawn "$dir" rgw radosgw -c "$dir/ceph.conf" -n client.rgw.a -f
    _rgw_wait "$dir" "$deadline" "radosgw on port $port" \
        _rgw_listening "$(_rgw_pid "$dir" rgw)" "$port" &&
        _rgw_wait "$dir" "$deadline" "radosgw to answer HTTP" _rgw_http_up "$port"
}

# S3 user with the fixed keys (idempotent enough: retried on failure).
_rgw_create_user() {
    local dir=$1
    timeout 30 radosgw-admin -c "$dir/ceph.conf" user create \
        --uid imghost-test --display-name "imghost tests" \
        --access-key "$RGW_ACCESS_KEY" --secret-key "$RGW_SECRET_KEY" \
        >>"$dir/log/setup.out" 2>&1
}

# User, then bucket, then one signed request that must succeed. Only after
# radosgw is up: radosgw-admin racing radosgw's very first start can
# create a second default zone/zonegroup.
_rgw_make_user_and_bucket() {
    local dir=$1 port=$2 deadline=$3
    _rgw_wait "$dir" "$deadline" "user creation" _rgw_create_user "$dir" ||
        { _rgw_fail "$dir" "radosgw-admin user create failed"; return 1; }
    _rgw_say "user created"
    _rgw_wait "$dir" "$deadline" "bucket creation" _rgw_bucket_created "$port" ||
        { _rgw_fail "$dir" "could not create bucket $RGW_BUCKET"; return 1; }
    _rgw_wait "$dir" "$deadline" "signed HEAD bucket" _rgw_bucket_ok "$port" ||
        { _rgw_fail "$dir" "signed S3 request does not work"; return 1; }
}

# --------------------------------------------------------------- public

rgw_start() {
    local dir port deadline _RGW_T0
    _RGW_T0=$(_rgw_usec)
    if [[ $# -ne 2 ]]; then _rgw_err "usage: rgw_start DIR PORT"; return 2; fi
    dir=$(_rgw_dir "$1") || return 2
    port=$2
    _rgw_port_ok "$port" || { _rgw_err "bad PORT '$port'"; return 2; }
    deadline=$(($(_rgw_now) + ${RGW_START_TIMEOUT:-60}))
    _rgw_export "$port"

    _rgw_wipe_dir "$dir" || return 1
    # After wiping (which stops an old cluster in DIR) the port must be free.
    if _rgw_port_busy "$port"; then
        _rgw_err "port $port is already in use"; return 1
    fi
    _rgw_make_dir "$dir" || return 1
    _rgw_bring_up_mon "$dir" "$port" "$deadline" ||
        { _rgw_fail "$dir" "ceph-mon failed to start"; return 1; }
    _rgw_start_osd "$dir" ||
        { _rgw_fail "$dir" "OSD failed to start"; return 1; }
    _rgw_say "osd started"
    # radosgw creates its pools itself and waits until the OSD serves them.
    _rgw_start_radosgw "$dir" "$port" "$deadline" ||
        { _rgw_fail "$dir" "radosgw did not come up on port $port"; return 1; }
    _rgw_say "radosgw answers"
    _rgw_make_user_and_bucket "$dir" "$port" "$deadline" || return 1
    _rgw_say "bucket $RGW_BUCKET ready at $RGW_ENDPOINT"
    return 0
}

rgw_stop() {
    local dir conf p
    if [[ $# -ne 1 ]]; then _rgw_err "usage: rgw_stop DIR"; return 2; fi
    dir=$(_rgw_dir "$1") || return 2
    [[ -d $dir ]] || return 0
    conf=$dir/ceph.conf
    # Clients first so they do not hang on a vanished mon/OSD.
    _rgw_stop_daemon "$dir" rgw
    _rgw_stop_daemon "$dir" osd
    _rgw_stop_daemon "$dir" mon
    local -a left=()
    mapfile -t left < <(_rgw_stragglers "$conf")
    if ((${#left[@]})); then
        _rgw_err "stopping stray processes of $dir: ${left[*]}"
        _rgw_term_pids "$conf" "${left[@]}"
    fi
    for p in $(_rgw_stragglers "$conf"); do
        _rgw_err "pid $p of $dir is still running"; return 1
    done
    return 0
}

rgw_pause() {
    local dir
    if [[ $# -ne 1 ]]; then _rgw_err "usage: rgw_pause DIR"; return 2; fi
    dir=$(_rgw_dir "$1") || return 2
    _rgw_stop_daemon "$dir" rgw
}

rgw_resume() {
    local dir port monport deadline pid _RGW_T0
    _RGW_T0=$(_rgw_usec)
    if [[ $# -ne 1 ]]; then _rgw_err "usage: rgw_resume DIR"; return 2; fi
    dir=$(_rgw_dir "$1") || return 2
    if ! read -r port monport 2>/dev/null <"$dir/ports"; then
        _rgw_err "no cluster in $dir (run rgw_start first)"; return 1
    fi
    _rgw_export "$port"
    pid=$(_rgw_pid "$dir" rgw)
    if _rgw_pid_ours "$pid" "$dir/ceph.conf"; then return 0; fi  # not paused
    rm -f "$dir/run/rgw.pid"                  # paused, or radosgw crashed
    deadline=$(($(_rgw_now) + ${RGW_START_TIMEOUT:-60}))
    if ! _rgw_wait "$dir" "$deadline" "port $port to be free" \
            _rgw_port_free "$port" ||
        ! _rgw_start_radosgw "$dir" "$port" "$deadline" ||
        ! _rgw_wait "$dir" "$deadline" "signed HEAD bucket" \
            _rgw_bucket_ok "$port"; then
        _rgw_err "radosgw did not come back"
        tail -n 15 "$dir/log/client.rgw.a.log" >&2 || true
        _rgw_stop_daemon "$dir" rgw
        return 1
    fi
    _rgw_say "radosgw resumed"
}
