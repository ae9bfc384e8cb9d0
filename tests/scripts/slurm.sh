#!/usr/bin/env bash
# slurm.sh FLOAT_BIN FIXED_BIN: a sharded run on a real Slurm, merged, equals one run.
# Brings up a one-node Slurm cluster on this machine from a private configuration in a temp dir
# (munged, slurmctld and slurmd started here, no systemd needed), then for each program:
# tools/slurm-run with 3 shards (a job array and a merge job after it); the merged report must
# cmp equal to one run of the same flags. Then a shard that fails: the merge job is cancelled,
# the other parts stay, and rerunning that shard alone (--only) gives the same report again.
# Every daemon and job process started here is stopped on exit, failure or not.
# Installs Debian's slurm-wlm and munge when missing (as root), otherwise says what to install.
set -euo pipefail
float_bin=${1:?usage: slurm.sh FLOAT_BIN FIXED_BIN}
fixed_bin=${2:?usage: slurm.sh FLOAT_BIN FIXED_BIN}
flags=(--trials 60 --seed 5)
shards=3
out=$(realpath -m "${BUILD:-build}/test/slurm")
slurm_run_tool=$(realpath "$(dirname "$0")/../../tools/slurm-run")
t0=$(date +%s)
fails=0 n=0
ok() { echo "ok   $*"; n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fails=$((fails + 1)); }
expect() { # what test...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
die() { echo "slurm: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# --- Debian packages --------------------------------------------------------------------------
need=()
have munged || need+=(munge)
{ have slurmctld && have slurmd && have sbatch; } || need+=(slurm-wlm)
if ((${#need[@]})); then
    if [[ $(id -u) -eq 0 ]] && have apt-get; then
        echo "slurm: installing ${need[*]} with apt-get ..."
        munge_ran=0
        [[ -e /run/munge/munged.pid ]] && munge_ran=1
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } >/dev/null ||
            die "apt-get could not install ${need[*]}"
        # Where services may start on install, the package's own munged is ours to stop.
        if ((!munge_ran)) && [[ -e /run/munge/munged.pid ]]; then munged --stop >/dev/null 2>&1 || true; fi
    else
        die "needs ${need[*]}: sudo apt-get install ${need[*]}"
    fi
fi

# --- a private one-node cluster ---------------------------------------------------------------
# munged wants every directory above its socket searchable by all, hence 0755.
work=$(mktemp -d /tmp/nope-slurm.XXXXXX)
chmod 755 "$work"
conf=$work/slurm.conf
pids=()
# Stops what this test started: jobs, then the daemons (politely, then by force), then any
# process still carrying our SLURM_CONF (slurmstepd and job processes are no children of ours).
# Sets left_behind to the pids of anything still there. Not in a subshell: only this shell
# can reap its daemons (a zombie still answers kill -0).
ours() { grep -qzx "SLURM_CONF=$conf" "/proc/$1/environ" 2>/dev/null; }
running() { # pid: alive and not a zombie waiting for this shell
    local state
    state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) && [[ -n $state && $state != Z ]]
}
wait_gone() { # tenths of a second, pids...: 0 once none of them runs
    local tenths=$1 p
    shift
    for _ in $(seq "$tenths"); do
        for p in "$@"; do running "$p" && { sleep 0.1; continue 2; }; done
        return 0
    done
    return 1
}
left_behind=''
stop_cluster() {
    local p
    ((${#pids[@]})) || return 0
    # slurmctld and slurmd shut down on request; munged (pids[0]) stops on SIGTERM after them.
    # Jobs first, while slurmctld and slurmd are there to end them (slurmd shuts down slowly
    # while job steps remain). No requests to a slurmctld that is gone: each would retry ~10 s.
    if running "${pids[1]:-0}"; then
        scancel --user="$(id -un)" >/dev/null 2>&1 || true
        for _ in $(seq 50); do
            [[ -z $(squeue -h -t running,completing,configuring -o %i 2>/dev/null) ]] && break
            sleep 0.1
        done
        scontrol shutdown >/dev/null 2>&1 || true
    fi
    wait_gone 100 "${pids[@]:1}" || kill -TERM "${pids[@]:1}" 2>/dev/null || true
    kill -TERM "${pids[0]}" 2>/dev/null || true
    wait_gone 50 "${pids[@]}" || kill -KILL "${pids[@]}" 2>/dev/null || true
    for p in /proc/[0-9]*; do ours "${p#/proc/}" && kill -KILL "${p#/proc/}" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
    for p in /proc/[0-9]*; do ours "${p#/proc/}" && left_behind+=" ${p#/proc/}"; done
    true
}
on_exit() {
    local rc=$?
    set +e
    stop_cluster
    [[ -z $left_behind ]] || { echo "FAIL: processes left behind:$left_behind"; rc=1; }
    if ((rc != 0)); then
        for log in "$work"/log/*.log; do
            echo "--- last lines of $log"
            tail -n 15 "$log"
        done
    fi
    rm -rf "$work"
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# Two free TCP ports for slurmctld and slurmd: nothing answers on either, and both lie below
# Linux's ephemeral range (32768 on), where outgoing connections take theirs.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=''
for _ in $(seq 20); do
    p=$((20000 + RANDOM % 12000))
    if ! listening "$p" && ! listening $((p + 1)); then port=$p; break; fi
done
[[ -n $port ]] || die "found no two free TCP ports"

host=$(hostname -s)
mkdir -p "$work"/{state,spool,log}
mungekey --create --keyfile="$work/munge.key" >/dev/null 2>&1 ||
    { dd if=/dev/urandom of="$work/munge.key" bs=1024 count=1 status=none && chmod 600 "$work/munge.key"; }
slurm_user=$(id -un)
cat >"$conf" <<EOF
ClusterName=nopetest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$slurm_user
SlurmdUser=$slurm_user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MailProg=/bin/true
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=nopetest Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
# Nothing from a surrounding Slurm (a job's environment, a user's defaults) may leak in.
for v in "${!SLURM_@}" "${!SBATCH_@}" "${!SQUEUE_@}"; do unset "$v"; done
export SLURM_CONF=$conf

# Each daemon runs in the foreground (-F, -D) as a child of this shell: its pid is known and
# this shell reaps it. They log to the files named in slurm.conf and on munged's command line.
munged -F --socket="$work/munge.socket" --key-file="$work/munge.key" --pid-file="$work/munged.pid" \
    --log-file="$work/log/munged.log" --seed-file="$work/munged.seed" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S $work/munge.socket ]] && break; sleep 0.1; done
munge -n -S "$work/munge.socket" | unmunge -S "$work/munge.socket" >/dev/null || die "munged does not answer"
slurmctld -D -f "$conf" >/dev/null 2>&1 &
pids+=($!)
slurmd -D -f "$conf" >/dev/null 2>&1 &
pids+=($!)
daemons=(munged slurmctld slurmd) # in the order of pids
state=''
for _ in $(seq 60); do
    for i in "${!pids[@]}"; do running "${pids[i]}" || die "${daemons[i]} exited at start"; done
    state=$(sinfo -h -N -n "$host" -o %T 2>/dev/null) || state=''
    [[ $state == idle ]] && break
    sleep 0.5
done
[[ $state == idle ]] || die "node $host not idle after 30 s (state '${state:-none}')"
echo "slurm: munged, slurmctld, slurmd up ($(slurmctld -V)); node $host idle with $(nproc) CPUs, ports $port-$((port + 1)) ($(($(date +%s) - t0)) s)"

# --- sharded runs equal one run -----------------------------------------------------------------
rm -rf "$out"
mkdir -p "$out"
slurm_run() { # outdir bin slurm-run-options...: bounded, so a stuck queue fails instead of hanging
    local dir=$1 bin=$2 rc=0 t=$SECONDS
    shift 2
    timeout 60 "$slurm_run_tool" --bin "$bin" --shards "$shards" --outdir "$dir" --poll 1 "$@" -- "${flags[@]}" || rc=$?
    echo "slurm: slurm-run exit $rc after $((SECONDS - t)) s"
    return "$rc"
}
for bin in "$float_bin" "$fixed_bin"; do
    name=$(basename "$bin")
    "$bin" "${flags[@]}" >"$out/$name-one.csv" 2>/dev/null || die "$bin ${flags[*]} failed on its own"
    echo "slurm: $name ${flags[*]}, $shards shards:"
    if slurm_run "$out/$name" "$bin" --wait; then
        if cmp "$out/$name/report.csv" "$out/$name-one.csv"; then
            ok "$name: merged report of $shards Slurm shards cmp equal to one run ($(wc -l <"$out/$name-one.csv") lines)"
        else
            bad "$name: merged report differs from one run"
        fi
    else
        bad "$name: slurm-run --wait failed"
    fi
done

# --- a failed shard, rerun alone ----------------------------------------------------------------
# The program itself is real; only shard 2's first attempt is made to fail, from outside.
name=$(basename "$float_bin")
flaky=$work/flaky-nope
cat >"$flaky" <<EOF
#!/bin/bash
if [[ -e $work/break-shard-2 && " \$* " == *" --shard 2/$shards "* ]]; then
    echo "injected failure of shard 2" >&2
    exit 1
fi
exec $(printf %q "$(realpath "$float_bin")") "\$@"
EOF
chmod +x "$flaky"
touch "$work/break-shard-2"
dir=$out/$name-rerun
echo "slurm: $name ${flags[*]}, $shards shards, shard 2 failing:"
if slurm_run "$dir" "$flaky" --wait; then
    bad "slurm-run --wait exited 0 although shard 2 failed"
else
    ok "slurm-run --wait exits non-zero when a shard fails"
fi
expect "no report after a failed shard" [ ! -e "$dir/report.csv" ]
parts_1_3_only() { [[ -s $dir/part-1.txt && -s $dir/part-3.txt && ! -e $dir/part-2.txt ]]; }
expect "parts 1 and 3 kept, no part 2" parts_1_3_only
expect "no temporary part left" [ -z "$(find "$dir" -maxdepth 1 -name '.part-*')" ]
kept=$(stat -c %Y.%i "$dir/part-1.txt" "$dir/part-3.txt")
rm "$work/break-shard-2"
echo "slurm: rerun of shard 2 alone:"
if slurm_run "$dir" "$flaky" --wait --only 2 && cmp "$dir/report.csv" "$out/$name-one.csv"; then
    ok "rerun of shard 2 alone, merged: cmp equal to one run"
else
    bad "rerun of shard 2 did not give the report of one run"
fi
expect "parts 1 and 3 untouched by the rerun" [ "$kept" = "$(stat -c %Y.%i "$dir/part-1.txt" "$dir/part-3.txt")" ]

echo "slurm: every job this test ran:"
squeue -t all -o '%.8i %.10j %.10T %r' | sed 's/^/  /'
stop_cluster
expect "munged, slurmctld, slurmd and every job process stopped: none left" [ -z "$left_behind" ]
echo "slurm: $(($(date +%s) - t0)) s"
echo "slurm: $((n - fails)) passed, $fails failed"
[[ $fails -eq 0 ]]
