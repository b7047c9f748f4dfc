# Sourced by the scripts that start programs in the background. Each appends the pid of what it starts to `pids`;
# when the script exits, however it exits, every one still running gets SIGTERM and all are reaped, and then
# `cleanup` runs if the script defines it (to remove its temporary files, unmount what it mounted).
pids=()
stop_background_processes() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if declare -F cleanup >/dev/null; then cleanup; fi
}
trap stop_background_processes EXIT
