#!/usr/bin/env bash
# inboxd under a REAL systemd manager: systemd 252 booted as PID 1 of its own namespaces (pid,
# mount, cgroup, uts, ipc, net), with only the test units, the installed inboxd units and a
# trimmed journald (see ../../docs/systemd.md, "Tests under a real systemd").
#
#   INBOXD_BIN_DIR=.build/debug bash Tests/systemd/run.sh     (root; `make test-systemd`)
#   bash Tests/systemd/run.sh --deb out/deb/inboxd_0.1.0_amd64.deb [--quick]   (`make test-packaging`)
#
# Without --deb the units and binaries are installed with `make install-files`; with --deb the
# package is installed with dpkg -i (its postinst creates the user, enables the socket) and
# removed with dpkg -r/--purge at the end. --quick skips reload, watchdog and template checks.
#
# Every check prints PASS or FAIL; the last line is "N passed, N failed"; the exit status is 1
# when any check failed. Everything is torn down on exit, failure or interrupt: the manager's PID
# 1 is killed (its namespaces die with it) and its cgroup removed. The host's /tmp, cgroup mounts
# and console are never touched (fresh tmpfs, cgroup namespace, /dev/console bound to a file).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin_dir=${INBOXD_BIN_DIR:-$repo/.build/debug}
deb="" quick=""
while [ $# -gt 0 ]; do
    case $1 in
        --deb) deb=$(realpath "$2"); shift 2 ;;
        --quick) quick=1; shift ;;
        *) echo "usage: run.sh [--deb PACKAGE.deb] [--quick]" >&2; exit 2 ;;
    esac
done
run_id=inboxd-systemd-$(date +%Y%m%d%H%M%S)-$$
work=$repo/out/systemd-test/$run_id
keep=${INBOXD_KEEP_TEST_DIR:-}

if [ "$(id -u)" != 0 ]; then
    echo "SKIP test-systemd: booting systemd in namespaces needs root"
    exit 0
fi
for tool in unshare nsenter jq /lib/systemd/systemd systemd-analyze; do
    command -v "$tool" >/dev/null || { echo "FAIL test-systemd: $tool is missing" >&2; exit 1; }
done
if [ -n "$deb" ]; then
    [ -f "$deb" ] || { echo "FAIL test-systemd: no package $deb" >&2; exit 1; }
else
    [ -x "$bin_dir/inboxd" ] && [ -x "$bin_dir/inboxctl" ] || { echo "FAIL test-systemd: no inboxd/inboxctl in $bin_dir" >&2; exit 1; }
fi

# The cgroup2 hierarchy the manager gets a subtree of: /sys/fs/cgroup/unified on a hybrid host.
if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    cgroot=/sys/fs/cgroup/unified
elif [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    cgroot=/sys/fs/cgroup
else
    echo "FAIL test-systemd: no cgroup2 hierarchy" >&2
    exit 1
fi
cgroup=$cgroot/$run_id

passed=0 failed=0
failures=()
unshare_pid="" pid1=""

log() { printf '%s\n' "$*"; }
now_ms() { date +%s%3N; }

# --- teardown: always, whatever happened -----------------------------------------------------
remove_cgroup() {
    local deadline=$(( $(now_ms) + 10000 ))
    while [ -d "$cgroup" ]; do
        # Leaves first: a cgroup can only be removed once its children and processes are gone.
        find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null
        [ -d "$cgroup" ] || break
        if [ "$(now_ms)" -gt "$deadline" ]; then
            log "WARNING: could not remove $cgroup"
            return
        fi
        sleep 0.05
    done
}

teardown() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "${INBOXD_TEST_HOLD:-}" ] && [ -n "$pid1" ]; then
        log "holding the test system for ${INBOXD_TEST_HOLD}s: nsenter -t $pid1 -a"
        sleep "$INBOXD_TEST_HOLD"
    fi
    if [ -n "$pid1" ] && { [ "$failed" -gt 0 ] || [ "$status" != 0 ] || [ -n "$keep" ]; }; then
        timeout 20 nsenter -t "$pid1" -a -- journalctl --no-pager -o short-monotonic > "$work/journal.log" 2>&1
    fi
    [ -n "$pid1" ] && kill -KILL "$pid1" 2>/dev/null
    [ -n "$unshare_pid" ] && kill -KILL "$unshare_pid" 2>/dev/null
    [ -n "$unshare_pid" ] && wait "$unshare_pid" 2>/dev/null
    remove_cgroup
    if [ "$failed" -gt 0 ] || [ -n "$keep" ] || [ "$status" != 0 ]; then
        log "logs kept in $work (journal.log: the test system's journal; console.log: its console; boot.log: the install)"
    else
        rm -rf "$work"
        rmdir "$repo/out/systemd-test" 2>/dev/null
    fi
    exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# --- helpers ------------------------------------------------------------------------------------
# A command inside the test system, with a clean environment.
ns() {
    nsenter -t "$pid1" -a -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        SYSTEMD_PAGER= SYSTEMD_COLORS=0 SYSTEMD_LOG_COLOR=0 "$@"
}
prop() { ns systemctl show -P "$2" "$1"; }
ctl() { ns timeout 20 /usr/bin/inboxctl --socket /run/inboxd/inboxd.sock "$@"; }
journal() { ns journalctl --no-pager -o json "$@"; }
# journal_match JQ_CONDITION [UNIT]: entries of the unit (the daemon's and systemd's about it)
# that satisfy the condition; succeeds when there is at least one. `msg` is MESSAGE as a string.
journal_match() {
    local found
    found=$(journal -u "${2:-inboxd.service}" | jq -c "(.MESSAGE | tostring) as \$msg | select($1)" 2>&1) || return 1
    [ -n "$found" ] && printf '%s\n' "$found"
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls (50 ms) until COMMAND succeeds or the deadline.
wait_for() {
    local what=$1 seconds=$2
    shift 2
    local deadline=$(( $(now_ms) + seconds * 1000 ))
    until "$@" >/dev/null 2>&1; do
        if [ "$(now_ms)" -gt "$deadline" ]; then
            why="timed out after ${seconds}s waiting for $what"
            return 1
        fi
        sleep 0.05
    done
}

# check NAME FUNCTION: runs one check; the function sets $why on failure and $note on success.
check() {
    local name=$1
    why="" note=""
    if "$2"; then
        passed=$((passed + 1))
        log "PASS $name${note:+ ($note)}"
    else
        failed=$((failed + 1))
        failures+=("$name")
        log "FAIL $name: ${why:-failed}"
    fi
}

status_text() { prop inboxd.service StatusText; }
status_has() { [[ "$(status_text)" == *"$1"* ]]; }
active_running() { [ "$(prop "$1" ActiveState)" = active ] && [ "$(prop "$1" SubState)" = running ]; }
main_pid() { prop inboxd.service MainPID; }
inbox=/var/lib/inboxd/inbox
ids_sorted() { ctl list --json | jq -r '.[].id' | sort | tr '\n' ' '; }
article_count() { ctl --json status | jq -r .articles; }
count_is() { [ "$(article_count 2>/dev/null)" = "$1" ]; }

# A small article with its own content (so its content hash is new).
article() {
    printf 'Harbour cranes back in service, number %s\n\n' "$1"
    printf 'The port authority said on Monday that crane %s returned to service after %s weeks of repairs.\n\n' "$1" "$1"
    printf 'Workers on the %s shift reported that loading times fell by a third once the crane was running again.\n' "$1"
}
# drop NAME: writes an article under a hidden name and renames it in, as careful producers do.
drop() {
    article "$2" | ns sh -c "cat > $inbox/.$1.tmp && mv $inbox/.$1.tmp $inbox/$1"
}

# --- boot -------------------------------------------------------------------------------------
mkdir -p "$work/units"
cp -r "$repo/Tests/systemd/units/." "$work/units/"
: > "$work/console.log"
mkdir "$cgroup"
boot_started=$(now_ms)
(
    echo "$BASHPID" > "$cgroup/cgroup.procs"
    exec unshare --pid --fork --kill-child --mount --propagation private --mount-proc --cgroup --uts --ipc --net \
        bash "$repo/Tests/systemd/boot.sh" "$work" "$bin_dir" "$repo" "$deb" > "$work/boot.log" 2>&1
) &
unshare_pid=$!

find_pid1() {
    local child
    child=$(cat "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null) || return 1
    child=${child%% *}
    [ -n "$child" ] && [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ] && pid1=$child
}
system_running() { [ "$(ns systemctl is-system-running 2>/dev/null)" = running ]; }

check_boot() {
    wait_for "systemd as PID 1 of the namespace" 60 find_pid1 || { why="$why; boot.log: $(tail -5 "$work/boot.log")"; return 1; }
    wait_for "is-system-running = running" 30 system_running || { why="$why: $(ns systemctl is-system-running 2>&1)"; return 1; }
    boot_ms=$(( $(now_ms) - boot_started ))
    [ "$(prop systemd-journald.service ActiveState)" = active ] || { why="journald is not active"; return 1; }
    local units
    units=$(ns systemctl list-units --all --plain --no-legend --type=service,socket | awk '{print $1}' | sort | tr '\n' ' ')
    note="systemd $(ns systemctl --version | head -1 | awk '{print $2}') up in ${boot_ms} ms incl. install; units: $units"
}
check boot check_boot
if [ -z "$pid1" ] || ! system_running; then
    log "0 passed, 1 failed"
    failed=1
    exit 1
fi

# --- the package (with --deb) ----------------------------------------------------------------------
check_dpkg_installed() {
    grep -q '^dpkg -i: exit 0$' "$work/boot.log" || { why="dpkg -i failed: $(tail -5 "$work/boot.log")"; return 1; }
    [ "$(ns dpkg-query -W -f='${Status}' inboxd)" = "install ok installed" ] || { why="dpkg status: $(ns dpkg-query -W -f='${Status}' inboxd)"; return 1; }
    ns getent passwd inboxd >/dev/null || { why="postinst created no inboxd user"; return 1; }
    [ "$(ns stat -c '%U:%G %a' /run/inboxd)" = "root:inboxd 750" ] || { why="/run/inboxd: $(ns stat -c '%U:%G %a' /run/inboxd)"; return 1; }
    [ "$(ns readlink /etc/systemd/system/sockets.target.wants/inboxd.socket)" = /lib/systemd/system/inboxd.socket ] ||
        [ "$(ns readlink /etc/systemd/system/sockets.target.wants/inboxd.socket)" = /usr/lib/systemd/system/inboxd.socket ] ||
        { why="inboxd.socket is not enabled"; return 1; }
    [ "$(prop inboxd.socket SubState)" = listening ] || { why="the enabled inboxd.socket did not start at boot ($(prop inboxd.socket SubState))"; return 1; }
    local swift_libs
    swift_libs=$(ns ldd /usr/bin/inboxd | grep -c libswift)
    [ "$swift_libs" = 0 ] || { why="/usr/bin/inboxd needs the Swift toolchain's libraries"; return 1; }
    note="$(basename "$deb"): postinst created user inboxd and /run/inboxd, enabled inboxd.socket (listening since boot); binaries need no Swift toolchain"
}
[ -n "$deb" ] && check "dpkg -i installs the package cleanly and enables the socket" check_dpkg_installed

# --- static checks on the installed units -------------------------------------------------------
check_verify() {
    local out
    out=$(ns systemd-analyze verify /usr/lib/systemd/system/inboxd.service /usr/lib/systemd/system/inboxd.socket \
        /usr/lib/systemd/system/inboxd@.service /usr/lib/systemd/system/inboxd@.socket 2>&1)
    local rc=$?
    [ "$rc" = 0 ] && [ -z "$out" ] || { why="rc=$rc: $out"; return 1; }
    note="inboxd.service inboxd.socket inboxd@.service inboxd@.socket: no findings (man pages and binaries checked)"
}
check "systemd-analyze verify (all four units)" check_verify

exposure_of() { ns systemd-analyze security --offline=true --no-pager "/usr/lib/systemd/system/$1" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'; }
check_security() {
    local unit score summary=""
    for unit in inboxd.service inboxd@.service; do
        score=$(exposure_of "$unit")
        [ -n "$score" ] || { why="no exposure score for $unit"; return 1; }
        summary+="$unit $score, "
        awk -v s="$score" 'BEGIN { exit !(s <= 1.0) }' || { why="$unit exposure $score > 1.0"; return 1; }
    done
    exposure=${summary%, }
    note="exposure $exposure (limit 1.0)"
}
check "systemd-analyze security --offline=true <= 1.0" check_security

# --- lifecycle ---------------------------------------------------------------------------------
check_start_ready() {
    local t0 t1
    t0=$(now_ms)
    ns systemctl start inboxd.service || { why="systemctl start failed: $(ns systemctl status --no-pager inboxd.service 2>&1 | tail -5)"; return 1; }
    t1=$(now_ms)
    # Type=notify: `start` returns once READY=1 arrived, so the state is already final here.
    active_running inboxd.service || { why="after start: $(prop inboxd.service ActiveState)/$(prop inboxd.service SubState)"; return 1; }
    local text
    text=$(status_text)
    [[ "$text" == "Watching $inbox: 0 articles, 0 duplicates, 0 rejected" ]] || { why="StatusText: $text"; return 1; }
    local start_us ready_us
    start_us=$(prop inboxd.service ExecMainStartTimestampMonotonic)
    ready_us=$(prop inboxd.service ActiveEnterTimestampMonotonic)
    ready_ms=$(( (ready_us - start_us) / 1000 ))
    start_call_ms=$(( t1 - t0 ))
    note="exec to READY=1 ${ready_ms} ms, systemctl start returned after ${start_call_ms} ms; StatusText \"$text\""
}
check "systemctl start returns after READY (active/running, StatusText with counts)" check_start_ready

check_socket_passed() {
    wait_for "the daemon's 'using the listening socket passed by systemd'" 10 \
        journal_match '$msg == "using the listening socket passed by systemd" and .FD_NAME == "api"' || return 1
    note="FileDescriptorName=api taken from LISTEN_FDS"
}
check "inboxd.service uses the socket of inboxd.socket" check_socket_passed

check_seeds() {
    local seed
    for seed in "$repo"/seeds/*; do
        ns sh -c "cat > $inbox/.seed.tmp && mv $inbox/.seed.tmp $inbox/$(basename "$seed")" < "$seed" || { why="copy failed"; return 1; }
    done
    ns sh -c ": > $inbox/empty.txt"
    wait_for "StatusText with 5 articles" 30 status_has "5 articles, 0 duplicates, 1 rejected" || { why="$why; StatusText: $(status_text)"; return 1; }
    note="StatusText \"$(status_text)\""
}
check "dropping the seeds updates StatusText (inotify under the hardened unit)" check_seeds

check_hardened() {
    local pid status
    pid=$(main_pid)
    status=$(ns cat "/proc/$pid/status") || { why="no /proc/$pid/status"; return 1; }
    local uid capeff nnp seccomp
    uid=$(awk '/^Uid:/ {print $2}' <<<"$status")
    capeff=$(awk '/^CapEff:/ {print $2}' <<<"$status")
    nnp=$(awk '/^NoNewPrivs:/ {print $2}' <<<"$status")
    seccomp=$(awk '/^Seccomp:/ {print $2}' <<<"$status")
    [ "$uid" != 0 ] && [ "$capeff" = 0000000000000000 ] && [ "$nnp" = 1 ] && [ "$seccomp" = 2 ] ||
        { why="uid=$uid CapEff=$capeff NoNewPrivs=$nnp Seccomp=$seccomp"; return 1; }
    local answer
    answer=$(ctl --json status) || { why="inboxctl status failed"; return 1; }
    [ "$(jq -r .articles <<<"$answer")" = 5 ] || { why="status: $answer"; return 1; }
    seed_ids=$(ids_sorted)
    note="uid $uid ($(ns getent passwd "$uid" | cut -d: -f1)), no capabilities, NoNewPrivs, seccomp filter; inotify and the socket work"
}
check "the hardened unit really runs the daemon" check_hardened

check_priorities() {
    local pid task comm nice slice summary="" api_slice=""
    pid=$(main_pid)
    for task in $(ns ls "/proc/$pid/task"); do
        comm=$(ns cat "/proc/$pid/task/$task/comm") || continue
        # field 19 of stat (after the parenthesised name) is the nice value
        nice=$(ns cat "/proc/$pid/task/$task/stat" | sed 's/.*) //' | awk '{print $17}')
        slice=$(ns cat "/proc/$pid/task/$task/sched" 2>/dev/null | awk '/^se.slice/ {print $3}')
        case "$comm" in
            inboxd-parse*) [ "$nice" = 5 ] || { why="$comm at nice $nice, not 5"; return 1; } ;;
            inboxd-search|inboxd-feed) [ "$nice" = 19 ] || { why="$comm at nice $nice, not 19"; return 1; } ;;
            NIO-ELT*)
                [ "$nice" = 0 ] || { why="$comm at nice $nice"; return 1; }
                [ -z "$slice" ] || [ "$slice" = 100000 ] || { why="$comm slice $slice ns, not 100000"; return 1; }
                api_slice=${slice:-"(no per-thread slice on this kernel)"} ;;
        esac
        summary+="$comm $nice, "
    done
    [ -n "$api_slice" ] || { why="no API thread in /proc/$pid/task"; return 1; }
    note="nice per thread: ${summary%, }; API thread slice $api_slice ns"
}
check "thread priorities under the seccomp filter (parsing nice 5, indexing nice 19, short API slice)" check_priorities

check_group_access() {
    local gid
    gid=$(ns getent group inboxd | cut -d: -f3)
    [ -n "$gid" ] || { why="no inboxd group (sysusers.d)"; return 1; }
    ns setpriv --reuid=65534 --regid="$gid" --clear-groups /usr/bin/inboxctl --socket /run/inboxd/inboxd.sock status >/dev/null ||
        { why="a member of the inboxd group cannot use the socket"; return 1; }
    if ns setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/inboxctl --socket /run/inboxd/inboxd.sock status >/dev/null 2>&1; then
        why="a user outside the inboxd group could use the socket"
        return 1
    fi
    note="group inboxd (gid $gid) may connect, others may not: $(ns stat -c '%A %U:%G' /run/inboxd/inboxd.sock)"
}
check "socket access: inboxd group only" check_group_access

check_journal_fields() {
    local ingested
    ingested=$(journal_match '$msg == "ingested" and .SOURCE_FILE == "000_2c7f26bfe47dfcff.txt"') ||
        { why="no 'ingested' entry for 000_2c7f26bfe47dfcff.txt"; return 1; }
    # The id is the start of the content hash (README, "The article").
    jq -e '.ARTICLE_ID as $id | ($id | length) == 16 and (.CONTENT_HASH | length) == 64 and (.CONTENT_HASH | startswith($id)) and .PRIORITY == "6"' <<<"$ingested" >/dev/null ||
        { why="ingested entry without the right ARTICLE_ID/CONTENT_HASH/PRIORITY: $ingested"; return 1; }
    journal_match '$msg == "rejected" and .REASON == "empty" and .SOURCE_FILE == "empty.txt" and .PRIORITY == "5"' >/dev/null ||
        { why="no rejected entry with SOURCE_FILE=empty.txt REASON=empty PRIORITY=5"; return 1; }
    note="e.g. $(jq -c '{MESSAGE, SOURCE_FILE, ARTICLE_ID, CONTENT_HASH, PRIORITY}' <<<"$ingested")"
}
check "journalctl -u inboxd -o json shows SOURCE_FILE ARTICLE_ID CONTENT_HASH REASON" check_journal_fields

if [ -z "$quick" ]; then
# --- reload ------------------------------------------------------------------------------------
seed_copy() { ns sh -c "cat > $inbox/.c.tmp && mv $inbox/.c.tmp $inbox/$1" < "$repo/seeds/001_8b43c24e035760d4.txt"; }
rejected_as() { ns test -e "/var/lib/inboxd/rejected/$1.reason.json" && ns jq -e --arg c "$2" '.code == $c' "/var/lib/inboxd/rejected/$1.reason.json"; }
placed_as_duplicate() { ns test -e "/var/lib/inboxd/duplicates/$1"; }
journal_has() { journal_match "\$msg | contains(\"$1\")" >/dev/null; }

check_reload() {
    local pid
    pid=$(main_pid)
    ns sh -c 'printf "max_file_size = 1K\nlog_level = debug\n" > /etc/inboxd/inboxd.conf'
    ns systemctl reload inboxd.service || { why="systemctl reload failed"; return 1; }
    wait_for "the daemon's 'configuration reloaded'" 10 journal_has "configuration reloaded" || return 1
    wait_for "active/running after the reload" 10 active_running inboxd.service || return 1
    # systemd saw the reload (Reloading/Reloaded), RELOADING=1 then READY=1 brought it back.
    wait_for "systemd's 'Reloaded inboxd.service'" 10 journal_match '._PID == "1" and ($msg | startswith("Reloaded inboxd.service"))' || return 1
    [ "$(main_pid)" = "$pid" ] || { why="the main PID changed: a reload must not restart"; return 1; }
    # New configuration in effect: a 4.5 KiB copy of a seed is now too large.
    seed_copy big-after-reload.txt
    wait_for "big-after-reload.txt rejected as too_large" 15 rejected_as big-after-reload.txt too_large || return 1
    note="same PID $pid, max_file_size 1K applied (a seed copy rejected too_large), StatusText \"$(status_text)\""
}
check "systemctl reload applies the new configuration (RELOADING=1, READY=1)" check_reload

restore_config() {
    ns sh -c 'cat > /etc/inboxd/inboxd.conf' < "$repo/packaging/inboxd.conf"
    [ "$(prop inboxd.service ActiveState)" = active ] && ns systemctl reload inboxd.service
}
check_reload_broken() {
    local rc=0
    reload_broken_steps || rc=1
    [ "$rc" = 0 ] || restore_config  # so that a failure here does not fail the checks after it
    return "$rc"
}
reload_broken_steps() {
    local pid
    pid=$(main_pid)
    ns sh -c 'printf "max_file_size = 1M\nlog_level = loud\n" > /etc/inboxd/inboxd.conf'
    ns systemctl reload inboxd.service || { why="systemctl reload failed"; return 1; }
    wait_for "StatusText saying the reload failed" 10 status_has "Reload failed, previous configuration kept" || { why="$why: $(status_text)"; return 1; }
    wait_for "active/running" 10 active_running inboxd.service || return 1
    [ "$(main_pid)" = "$pid" ] || { why="the main PID changed"; return 1; }
    wait_for "a journal entry with the reason" 10 \
        journal_match '($msg | startswith("configuration reload failed")) and (.REASON | tostring | contains("log_level = loud"))' || return 1
    # The old configuration (1K) is still in effect, not the broken file's 1M.
    seed_copy big-after-broken.txt
    wait_for "big-after-broken.txt rejected as too_large" 15 rejected_as big-after-broken.txt too_large || return 1
    # A good file again clears the note.
    restore_config
    wait_for "the note cleared after a good reload" 10 status_has "Watching $inbox: 5 articles" || return 1
    status_has "Reload failed" && { why="the failure note stayed after a good reload"; return 1; }
    seed_copy copy-after-good.txt
    wait_for "copy-after-good.txt taken as a duplicate" 15 placed_as_duplicate copy-after-good.txt || return 1
    note="still active, same PID, old 1K limit kept; StatusText said why; a good reload cleared it"
}
check "a broken configuration on reload keeps the old one running and says why" check_reload_broken

fi  # quick

# --- stop, socket activation, store intact -----------------------------------------------------
check_stop() {
    ns systemctl stop inboxd.service || { why="systemctl stop failed"; return 1; }
    local state result code status
    state=$(prop inboxd.service ActiveState) result=$(prop inboxd.service Result)
    code=$(prop inboxd.service ExecMainCode) status=$(prop inboxd.service ExecMainStatus)
    # ExecMainCode 1 = CLD_EXITED: the daemon exited by itself (with 0), it was not killed.
    [ "$state" = inactive ] && [ "$result" = success ] && [ "$code" = 1 ] && [ "$status" = 0 ] ||
        { why="ActiveState=$state Result=$result ExecMainCode=$code ExecMainStatus=$status"; return 1; }
    wait_for "the daemon's 'stopping' (sent with STOPPING=1)" 10 journal_match '$msg == "stopping" and .SIGNAL == "SIGTERM"' || return 1
    # The socket belongs to systemd: still there, still listening.
    ns test -S /run/inboxd/inboxd.sock || { why="the socket file was removed"; return 1; }
    [ "$(prop inboxd.socket SubState)" = listening ] || { why="inboxd.socket is $(prop inboxd.socket SubState)"; return 1; }
    note="SIGTERM -> STOPPING=1 -> exit 0; socket file kept, inboxd.socket listening"
}
check "systemctl stop: STOPPING, exit 0, socket left to systemd" check_stop

check_socket_activation() {
    [ "$(prop inboxd.service ActiveState)" = inactive ] || { why="inboxd.service is not stopped"; return 1; }
    local t0 answer
    t0=$(now_ms)
    answer=$(ctl --json status) || { why="inboxctl status through the socket failed"; return 1; }
    activation_ms=$(( $(now_ms) - t0 ))
    [ "$(jq -r .articles <<<"$answer")" = 5 ] || { why="answer: $answer"; return 1; }
    wait_for "inboxd.service active after activation" 15 active_running inboxd.service || return 1
    note="inboxctl status started inboxd.service and got an answer in ${activation_ms} ms"
}
check "socket activation: inboxctl status through /run/inboxd/inboxd.sock starts the service" check_socket_activation

check_store_intact() {
    local got
    got=$(ids_sorted)
    [ -n "${seed_ids:-}" ] && [ "$got" = "$seed_ids" ] || { why="ids after stop and restart: '$got', before: '${seed_ids:-}'"; return 1; }
    note="inboxctl list --json after the restart: the 5 seed ids"
}
check "store intact after stop and restart (inboxctl list --json)" check_store_intact

if [ -z "$quick" ]; then
# --- watchdog ------------------------------------------------------------------------------------
wedged() { journal_match '$msg | startswith("test wedge engaged")'; }
# Killed by the watchdog and dead (waiting RestartSec= before the restart).
killed_by_watchdog() { [ "$(prop inboxd.service Result)" = watchdog ] && [ "$(prop inboxd.service SubState)" = auto-restart ]; }
restarted_from() { local pid; pid=$(main_pid); [ "$pid" != 0 ] && [ "$pid" != "$1" ] && active_running inboxd.service; }

check_watchdog() {
    ns mkdir -p /run/inboxd-test/units/inboxd.service.d
    ns sh -c 'printf "[Service]\nEnvironment=INBOXD_TEST_WEDGE_AFTER=3\n" > /run/inboxd-test/units/inboxd.service.d/20-wedge.conf'
    ns systemctl daemon-reload
    ns systemctl restart inboxd.service || { why="restart with the wedge switch failed"; return 1; }
    local pid restarts
    pid=$(main_pid) restarts=$(prop inboxd.service NRestarts)
    [ "$(prop inboxd.service WatchdogUSec)" = 3s ] || { why="WatchdogUSec=$(prop inboxd.service WatchdogUSec)"; return 1; }
    # Four new articles: the loop takes three, commits them, and wedges; the fourth waits.
    local n
    for n in 1 2 3 4; do drop "wd-$n.txt" "$n"; done
    wait_for "the wedge" 15 wedged || return 1
    # Dropped while wedged: must survive too (taken by the next start's scan).
    drop wd-5.txt 5
    wait_for "Result=watchdog, SubState=auto-restart" 20 killed_by_watchdog || { why="$why (Result=$(prop inboxd.service Result), $(prop inboxd.service SubState))"; return 1; }
    local killed_us
    killed_us=$(prop inboxd.service ExecMainExitTimestampMonotonic)
    wait_for "a new main process, active/running" 30 restarted_from "$pid" || return 1
    local now_restarts ready_us wedge_us
    now_restarts=$(prop inboxd.service NRestarts)
    [ "$now_restarts" -gt "$restarts" ] || { why="NRestarts $restarts -> $now_restarts"; return 1; }
    ready_us=$(prop inboxd.service ActiveEnterTimestampMonotonic)
    wedge_us=$(wedged | jq -r .__MONOTONIC_TIMESTAMP | tail -1)
    watchdog_kill_ms=$(( (killed_us - wedge_us) / 1000 ))
    watchdog_restart_ms=$(( (ready_us - wedge_us) / 1000 ))
    journal_match '._PID == "1" and ($msg | test("[Ww]atchdog timeout"))' >/dev/null || { why="systemd logged no watchdog timeout"; return 1; }
    # Nothing dropped before (or during) the wedge is lost: 5 seeds + 5 new articles.
    wait_for "10 articles after the restart" 20 count_is 10 || { why="$why (articles: $(article_count))"; return 1; }
    local left
    left=$(ns ls -A "$inbox")
    [ -z "$left" ] || { why="left in the inbox: $left"; return 1; }
    note="wedge -> watchdog kill ${watchdog_kill_ms} ms (WatchdogSec=3s) -> READY again ${watchdog_restart_ms} ms (RestartSec=2s); NRestarts $restarts -> $now_restarts; 10 articles, none lost"
}
check "watchdog: a wedged ingest loop is killed (Result=watchdog) and restarted, nothing lost" check_watchdog

check_watchdog_off() {
    ns rm -f /run/inboxd-test/units/inboxd.service.d/20-wedge.conf
    ns systemctl daemon-reload
    ns systemctl restart inboxd.service || { why="restart failed"; return 1; }
    ns sh -c "tr '\n' ' ' < /proc/$(main_pid)/environ" | grep -q INBOXD_TEST_WEDGE_AFTER && { why="the wedge switch is still set"; return 1; }
    drop wd-6.txt 6
    drop wd-7.txt 7
    drop wd-8.txt 8
    drop wd-9.txt 9
    wait_for "14 articles" 20 count_is 14 || return 1
    local pid
    pid=$(main_pid)
    # Observed over two watchdog periods with nothing to do: an idle daemon still pings.
    local deadline=$(( $(now_ms) + 6500 ))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        [ "$(main_pid)" = "$pid" ] && active_running inboxd.service || { why="restarted while idle: Result=$(prop inboxd.service Result)"; return 1; }
        sleep 0.5
    done
    note="switch off by default: 4 more files taken, idle daemon kept alive by pings over 6.5 s"
}
check "watchdog pings keep a healthy daemon alive" check_watchdog_off

# --- template instances --------------------------------------------------------------------------
press_has_article() { [[ "$(prop inboxd@press.service StatusText)" == *": 1 articles"* ]]; }
check_template() {
    ns systemctl stop inboxd.service inboxd.socket
    ns cp /etc/inboxd/inboxd.conf /etc/inboxd/press.conf
    ns systemctl start inboxd@press.socket || { why="inboxd@press.socket did not start"; return 1; }
    local answer
    answer=$(ns timeout 20 /usr/bin/inboxctl --socket /run/inboxd/press.sock --json status) || { why="no answer on /run/inboxd/press.sock"; return 1; }
    [ "$(jq -r .inbox <<<"$answer")" = /var/lib/inboxd/press/inbox ] || { why="instance status: $answer"; return 1; }
    wait_for "inboxd@press.service active" 15 active_running inboxd@press.service || return 1
    ns sh -c 'cat > /var/lib/inboxd/press/inbox/.p.tmp && mv /var/lib/inboxd/press/inbox/.p.tmp /var/lib/inboxd/press/inbox/p.txt' < "$repo/seeds/002_183ba4ad78f5b197.txt"
    wait_for "the press instance's StatusText" 15 press_has_article || { why="$why: $(prop inboxd@press.service StatusText)"; return 1; }
    ns systemctl stop inboxd@press.service inboxd@press.socket
    note="inboxd@press: /etc/inboxd/press.conf, /var/lib/inboxd/press, /run/inboxd/press.sock, activated on first connect"
}
check "template inboxd@.service/.socket: one more inbox" check_template

fi  # quick

# --- package upgrade and removal (with --deb) ------------------------------------------------------
check_dpkg_upgrade() {
    ns systemctl start inboxd.socket inboxd.service
    local before
    before=$(article_count)
    ns systemctl stop inboxd.socket inboxd.service
    # Installing over itself with systemd running: postinst reloads systemd, starts the socket.
    ns dpkg -i "$deb" > "$work/dpkg-upgrade.log" 2>&1 || { why="dpkg -i over the installed package failed: $(tail -3 "$work/dpkg-upgrade.log")"; return 1; }
    [ "$(prop inboxd.socket SubState)" = listening ] || { why="postinst did not start inboxd.socket ($(prop inboxd.socket SubState))"; return 1; }
    [ "$(article_count)" = "$before" ] || { why="$before articles before the upgrade, $(article_count) after"; return 1; }
    note="postinst started inboxd.socket; the first inboxctl status activated the service; articles kept"
}
[ -n "$deb" ] && check "dpkg -i over the installed package while systemd runs (upgrade path)" check_dpkg_upgrade

check_dpkg_remove() {
    ns systemctl start inboxd.socket inboxd.service
    ns dpkg -r inboxd > "$work/dpkg-remove.log" 2>&1 || { why="dpkg -r failed: $(tail -3 "$work/dpkg-remove.log")"; return 1; }
    ns test ! -e /usr/bin/inboxd || { why="/usr/bin/inboxd is still there"; return 1; }
    [ "$(prop inboxd.service ActiveState)" = inactive ] && [ "$(prop inboxd.socket ActiveState)" = inactive ] ||
        { why="still active after removal: service $(prop inboxd.service ActiveState), socket $(prop inboxd.socket ActiveState)"; return 1; }
    ns test -e /etc/inboxd/inboxd.conf || { why="dpkg -r removed the configuration (a conffile stays until purge)"; return 1; }
    ns test -d /var/lib/inboxd/archive || { why="dpkg -r removed the articles"; return 1; }
    ns dpkg --purge inboxd >> "$work/dpkg-remove.log" 2>&1 || { why="dpkg --purge failed: $(tail -3 "$work/dpkg-remove.log")"; return 1; }
    ns test ! -e /etc/inboxd/inboxd.conf || { why="purge left /etc/inboxd/inboxd.conf"; return 1; }
    note="prerm stopped socket and service, files gone, configuration kept until purge, articles kept"
}
[ -n "$deb" ] && check "dpkg -r / --purge remove the package cleanly" check_dpkg_remove

# --- safety: nothing but the test's own units ever ran ---------------------------------------------
check_only_test_units() {
    # Every unit the manager knows, and whether it ever left the inactive state (boot included).
    local all units others
    all=$(ns systemctl list-units --all --plain --no-legend | awk '{print $1}')
    units=$(ns systemctl show -p Id -p InactiveExitTimestampMonotonic -- $all |
        awk 'BEGIN {RS = ""} { id = ""; ran = 0
             for (i = 1; i <= NF; i++) { if ($i ~ /^Id=/) id = substr($i, 4); if ($i ~ /^InactiveExitTimestampMonotonic=[1-9]/) ran = 1 }
             if (ran) print id }' | grep -v -E '\.(mount|scope|device|swap)$' | sort -u)
    others=$(grep -v -E '^(inboxd(@press)?\.(service|socket)|systemd-journald\.(service|socket)|(test|sysinit|basic|sockets|multi-user|shutdown)\.target|-\.slice|system(-inboxd)?\.slice)$' <<<"$units")
    [ -n "$units" ] || { why="the manager reports no unit that ever ran"; return 1; }
    [ -z "$others" ] || { why="units outside the test ran: $(tr '\n' ' ' <<<"$others")"; return 1; }
    local target
    for target in sysinit basic sockets; do
        [ "$(prop $target.target FragmentPath)" = "/run/inboxd-test/units/$target.target" ] || { why="$target.target is not the empty stand-in"; return 1; }
    done
    note="started: $(tr '\n' ' ' <<<"$units")"
}
check "only the test units ran (no sysinit, no tmpfiles, nothing of the host's)" check_only_test_units

# --- summary -------------------------------------------------------------------------------------
log ""
log "figures: boot to running ${boot_ms:-?} ms (install included); exec to READY ${ready_ms:-?} ms; systemctl start ${start_call_ms:-?} ms"
log "         socket activation to answer ${activation_ms:-?} ms; watchdog: wedge to kill ${watchdog_kill_ms:-?} ms, wedge to READY again ${watchdog_restart_ms:-?} ms"
log "         exposure: ${exposure:-?}"
[ "$failed" -gt 0 ] && log "failed: ${failures[*]}"
log "$passed passed, $failed failed"
[ "$failed" = 0 ]
