#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The commands of the CI recipe (docs/ci/github-actions.yml), so that the
# same commands run in CI and on your machine (docs/ci/README.md):
#
#   docs/ci/kharness-ci.sh explore I N DIR      shard I of N of every scenario in
#                                               $KHARNESS_CI_SCENARIOS, DIR/SCENARIO.I.json
#   docs/ci/kharness-ci.sh merge DIR            merge DIR/SCENARIO.*.json per scenario into
#                                               DIR/SCENARIO.json; exit 1 if any has a finding
#   docs/ci/kharness-ci.sh check-patch PATCH... the verdict of the patches (applied in order);
#                                               exit 1 when bad or untestable
#
# Environment: KHARNESS (the binary, default .build/release/kharness),
# KHARNESS_CI_SCENARIOS (default: three scenarios the v3.13 code passes),
# KHARNESS_CI_PREEMPTIONS (the DFS preemption bound, default 3),
# KHARNESS_CI_TIME (check-patch seconds per scenario and side, default 5),
# KHARNESS_CI_FUZZ_TIME (its generated-worlds phase, default 10),
# KHARNESS_CI_FINDINGS (where check-patch saves replay files, default kharness-findings).
set -eu
K=${KHARNESS:-.build/release/kharness}
SCENARIOS=${KHARNESS_CI_SCENARIOS:-reclaim-vs-cow mlock-vs-munlock migrate-vs-munlock}
PREEMPTIONS=${KHARNESS_CI_PREEMPTIONS:-3}
usage() { sed -n '4,14p' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
explore)
	[ $# -eq 3 ] || usage
	i=$1 n=$2 dir=$3
	mkdir -p "$dir"
	for s in $SCENARIOS; do
		# exit 1 (a finding) is a result like any other: merge judges
		rc=0
		"$K" run "$s" --strategy dfs --preemptions "$PREEMPTIONS" --keep-going \
			--shard "$i/$n" --json > "$dir/$s.$i.json" || rc=$?
		if [ $rc -gt 1 ]; then
			echo "kharness run $s --shard $i/$n failed (exit $rc)" >&2
			exit $rc
		fi
		echo "$s: shard $i/$n -> $dir/$s.$i.json"
	done
	;;
merge)
	[ $# -eq 1 ] || usage
	dir=$1
	status=0
	for s in $SCENARIOS; do
		rc=0
		"$K" merge "$dir/$s".[0-9]*.json > "$dir/$s.json" || rc=$?
		case $rc in
		0) echo "$s: no finding ($dir/$s.json)" ;;
		1) echo "$s: FINDING ($dir/$s.json)"; status=1 ;;
		*) echo "kharness merge of $s failed (exit $rc)" >&2; exit $rc ;;
		esac
	done
	exit $status
	;;
check-patch)
	if [ $# -eq 0 ]; then
		echo "no patches to check"
		exit 0
	fi
	rc=0
	"$K" check-patch "$@" --time "${KHARNESS_CI_TIME:-5}" --fuzz-time "${KHARNESS_CI_FUZZ_TIME:-10}" \
		--findings-dir "${KHARNESS_CI_FINDINGS:-kharness-findings}" --format mail || rc=$?
	case $rc in
	0) exit 0 ;;
	4) echo "good, but the patches also change code the harness does not run (see above)"; exit 0 ;;
	1) echo "check-patch: the patches add a finding (see above); replay files in ${KHARNESS_CI_FINDINGS:-kharness-findings}"; exit 1 ;;
	125) echo "check-patch: cannot test these patches (see above)"; exit 1 ;;
	*) exit $rc ;;
	esac
	;;
*)
	usage
	;;
esac
