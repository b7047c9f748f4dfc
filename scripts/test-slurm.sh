#!/usr/bin/env bash
# Tests Deploy/slurm/mapreduce.sbatch on a one-host Slurm cluster that it starts and stops itself (Debian's
# slurm-wlm and munge, installed by scripts/ensure-deps.sh; its own munged socket, configuration, state and ports,
# so a Slurm already on the machine is left alone). The job is a word count by mr-testbed whose maps are slowed;
# while they run, the node is drained and the step of a worker in the middle of a map is killed by Slurm
# (scancel --signal=KILL), then another one's is stopped (scancel --signal=TERM): both attempts must be counted lost
# (no backups: --no-speculation) and run again, and the stopped worker must hand its attempt back.
# The batch script starts another worker step, and the output must equal the SequentialRunner's byte for byte.
# Needs root (the daemons); says so and fails otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "test-slurm: needs root (to run slurmctld, slurmd and munged)" >&2; exit 1; }
scripts/ensure-deps.sh
swift build --product mr-testbed >&2
bin=$(swift build --show-bin-path)
repository=$(pwd)

work=$(mktemp -d)
chmod 755 "$work"
export SLURM_CONF=$work/slurm.conf
job=""
node=""
stop_daemon() {
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
    [[ -z $job ]] || scancel "$job" 2>/dev/null || true
    [[ -z $node ]] || scontrol update nodename="$node" state=resume 2>/dev/null || true
    stop_daemon "$work/slurmd.pid"
    stop_daemon "$work/slurmctld.pid"
    stop_daemon "$work/munge/munged.pid"
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "test-slurm: $*" >&2
    for log in "$work"/job.log "$work"/slurmctld.log "$work"/slurmd.log; do [[ -f $log ]] && { echo "--- $log" >&2; tail -20 "$log" >&2; }; done
    exit 1
}

# munged of our own, on our own socket and key.
mkdir -p "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$work/munge/munge.key"
chown -R munge:munge "$work/munge"
chmod 755 "$work/munge"
runuser -u munge -- /usr/sbin/munged --socket="$work/munge/munge.socket" --key-file="$work/munge/munge.key" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"
for _ in $(seq 1 50); do [[ -S $work/munge/munge.socket ]] && break; sleep 0.1; done

read -r controller_port node_port < <(python3 -c '
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in sockets])')
node=$(hostname -s)
mkdir -p "$work/state" "$work/spool"
cat >"$SLURM_CONF" <<CONF
ClusterName=mapreduce-test
SlurmctldHost=$node
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$controller_port
SlurmdPort=$node_port
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld
slurmd
for _ in $(seq 1 300); do [[ $(sinfo -h -o %T 2>/dev/null) == idle ]] && break; sleep 0.1; done
[[ $(sinfo -h -o %T 2>/dev/null) == idle ]] || fail "the one-host cluster did not come up"

# Input: 4 files of 40 lines (two map tasks each at --split-size 1KiB). The probe job sleeps 2 s in the first map
# call of each file, after writing its map-started marker: the worker that wrote the first marker is inside that
# sleep when its step is killed.
mkdir -p "$work/input"
for file in $(seq 1 4); do
    for line in $(seq 1 40); do echo "alpha beta$file gamma delta line$line epsilon"; done >"$work/input/$file.txt"
done
sed -i 's/[0-9]//g' "$work"/input/*.txt
"$bin/mr-testbed" local --job probe-word-count --reducers 2 --split-size 1KiB --quiet --output "$work/expected" "$work/input"

mkdir -p "$work/probe"
job=$(MR_COORDINATOR="$bin/mr-testbed coordinator" MR_WORKER="$bin/mr-testbed worker" MR_PROBE_DIR=$work/probe MR_PROBE_MAP_SLEEP_MS=2000 \
    sbatch --parsable --ntasks=2 --output="$work/job.log" --chdir="$work" "$repository/Deploy/slurm/mapreduce.sbatch" \
    --job probe-word-count --reducers 2 --split-size 1KiB --no-speculation --lease-timeout 2 --shared-dir "$work/shared" --output "$work/output" "$work/input")

for _ in $(seq 1 600); do compgen -G "$work/probe/map-started-*" >/dev/null && break; sleep 0.1; done
compgen -G "$work/probe/map-started-*" >/dev/null || fail "no map started"
scontrol update nodename="$node" state=drain reason=mapreduce-test
# The step of the worker that started the first map call (markers are map-started-PID-…): it is in the middle of it.
marker=$(compgen -G "$work/probe/map-started-*" | head -n 1)
# (scontrol listpids fails when a step ends while it lists, having printed the others: the steps it printed are
# still right, and a worker it did not print fails the test below with a message.)
pid=$(basename "$marker" | cut -d- -f3)
step=$( (scontrol listpids 2>/dev/null || true) | awk -v pid="$pid" '$1 == pid { print $2 "." $3; exit }')
[[ -n $step ]] || fail "no step runs the worker with pid $pid"
scancel --signal=KILL "$step"

# Then a worker stopped cleanly, the way Slurm stops a step (scancel, a preemption): the other worker, or the
# killed one's replacement, once it is inside a map call (more calls started than done): it hands its attempt back
# and exits 2, and its step is started again.
stopped=""
for _ in $(seq 1 600); do
    for marker in "$work"/probe/map-started-*; do
        other=$(basename "$marker" | cut -d- -f3)
        [[ $other != "$pid" ]] && kill -0 "$other" 2>/dev/null || continue
        started=$( (compgen -G "$work/probe/map-started-$other-*" || true) | wc -l)
        finished=$( (compgen -G "$work/probe/map-done-$other-*" || true) | wc -l)
        ((started > finished)) && stopped=$other && break
    done
    [[ -n $stopped ]] && break
    sleep 0.1
done
[[ -n $stopped ]] || fail "no other worker started a map call"
step=$( (scontrol listpids 2>/dev/null || true) | awk -v pid="$stopped" '$1 == pid { print $2 "." $3; exit }')
[[ -n $step ]] || fail "no step runs the worker with pid $stopped"
scancel --signal=TERM "$step"

state=""
for _ in $(seq 1 1800); do
    state=$(scontrol show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
    [[ $state == RUNNING || $state == PENDING || $state == COMPLETING ]] || break
    sleep 0.1
done
[[ $state == COMPLETED ]] || fail "the Slurm job ended $state"
exit_code=$(scontrol show job "$job" | grep -o ' ExitCode=[0-9:]*' | cut -d= -f2)
[[ $exit_code == 0:0 ]] || fail "the Slurm job exited $exit_code"
(($(grep -c "a worker step ended with status" "$work/job.log") >= 2)) || fail "the killed and the stopped worker steps were not both started again"
grep -q "a worker step ended with status 2;" "$work/job.log" || fail "the stopped worker step did not exit 2"
grep -q "was stopped (SIGTERM or SIGINT) and gave it back" "$work/output/_events.jsonl" || fail "the stopped worker did not hand its attempt back"
[[ -f $work/output/_SUCCESS ]] || fail "no _SUCCESS"
cmp <(cat "$work"/expected/part-*) <(cat "$work"/output/part-*) || fail "the output differs from the SequentialRunner's"
lost=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["lostAttempts"])' "$work/output/_summary.json")
((lost >= 2)) || fail "the killed and the stopped worker's attempts were not both counted as lost"
job=""
echo "test-slurm: word count under sbatch, with the node drained, a worker step killed by Slurm mid-map and another stopped: output exact"
