#!/usr/bin/env bash
# The fault suite's long mode, with the counts the figures in bench/RESULTS.md come from: the agent killed with
# SIGKILL 100 times during event writes, the hub 20 times during ingest, the time-series store down for ten
# minutes, 5,000 stations back after a hub restart, and the agent's disk-full and clock-step tests. CI runs the
# same tests with short counts. About half an hour on 2 cores; each test appends its line of figures to
# system-tests/target/fault-figures.txt, printed at the end.
#
#   bench/fault-suite.sh                      # all of it
#   FAULT_TESTS=HubKillIT bench/fault-suite.sh -Dyizhan.fault.hubKills=5
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || true

tests="${FAULT_TESTS:-AgentKillIT,HubKillIT,TimeSeriesOutageIT,FleetReconnectIT,OutboxDiskFullIT,OutboxClockStepIT}"
figures=system-tests/target/fault-figures.txt
rm -f "$figures"
status=0
./mvnw -B verify -pl system-tests -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test="$tests" -Dfailsafe.failIfNoSpecifiedTests=false -Dyizhan.fault.long=true "$@" || status=$?
echo
echo "== fault figures ($figures)"
cat "$figures" 2>/dev/null || echo "(none written)"
exit "$status"
