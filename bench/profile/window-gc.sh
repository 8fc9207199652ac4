#!/bin/bash
# The collections inside a fleet run's measured window, from the hub's GC log.
#
#   bench/profile/window-gc.sh OUT GC_LOG [STATIONS] [WINDOW_SECONDS]
#
# OUT is the run's --out directory, GC_LOG the file given to -Xlog:gc...:uptime. FleetRun takes its last snapshot at
# the window's end and then makes every station disconnect, so the window is the WINDOW_SECONDS (120) before the
# hub logs its first "offline (shutdown)"; the hub log's first line stands for the JVM's start (within a second).
# Prints the window in uptime seconds, its full collections, its young collection count and the heap at its end.
set -euo pipefail
out=$1
gc=$2
stations=${3:-15000}
window=${4:-120}
log=$out/fleet-logs/hub-$stations.log
secs() { awk -F: '{ printf "%.3f", $1 * 3600 + $2 * 60 + $3 }' <<<"$1"; }
first=$(head -1 "$log" | cut -c12-23)
goodbye=$(grep -m1 "offline (shutdown)" "$log" | cut -c12-23)
end=$(awk -v a="$(secs "$goodbye")" -v b="$(secs "$first")" 'BEGIN { d = a - b; if (d < 0) d += 86400; printf "%.1f", d + 0.7 }')
start=$(awk -v e="$end" -v w="$window" 'BEGIN { printf "%.1f", e - w }')
echo "window: uptime $start s to $end s"
echo "full collections:"
awk -F'[][s]' -v s="$start" -v e="$end" '/Pause Full/ && $2 >= s && $2 <= e' "$gc"
echo "young collections: $(awk -F'[][s]' -v s="$start" -v e="$end" '/Pause Young/ && $2 >= s && $2 <= e' "$gc" | wc -l)"
echo "last collection in the window:"
awk -F'[][s]' -v e="$end" '/Pause (Young|Full)/ && $2 <= e' "$gc" | tail -1
