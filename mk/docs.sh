#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The blocks of README.md and Patches/README.md that quote kharness output
# are made by running kharness, so they cannot go stale.  A block is
#
#   <!-- output: COMMAND -->
#   ```
#   what COMMAND prints
#   ```
#   <!-- end output -->
#
# (indented like its marker).  COMMAND runs with bash from the repository
# root, with `kharness` on PATH (the binary is $KHARNESS).
#
#   mk/docs.sh          rewrite the blocks in place
#   mk/docs.sh --check  exit 1 and show the difference when a block is stale
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode=write
[ "${1:-}" = --check ] && mode=check
KHARNESS=${KHARNESS:-.build/release/kharness}
[ -x "$KHARNESS" ] || { echo "mk/docs.sh: no kharness binary at $KHARNESS (swift build -c release, or set KHARNESS)" >&2; exit 2; }
bindir=$(mktemp -d)
trap 'rm -rf "$bindir"' EXIT
ln -s "$(cd "$(dirname "$KHARNESS")" && pwd)/$(basename "$KHARNESS")" "$bindir/kharness"

render() {		# render FILE > new text
	local file=$1 line indent cmd skipping=0
	while IFS= read -r line || [ -n "$line" ]; do
		if [ $skipping = 1 ]; then
			if [[ $line =~ ^[[:space:]]*'<!-- end output -->'$ ]]; then
				skipping=0
				printf '%s\n' "$line"
			fi
			continue
		fi
		printf '%s\n' "$line"
		if [[ $line =~ ^([[:space:]]*)'<!-- output: '(.*)' -->'$ ]]; then
			indent=${BASH_REMATCH[1]}
			cmd=${BASH_REMATCH[2]}
			printf '%s```\n' "$indent"
			PATH="$bindir:$PATH" bash -c "$cmd" 2>/dev/null | sed -e "s/[[:space:]]*\$//" -e "s/^/$indent/" -e "s/^[[:space:]]*\$//" || true
			printf '%s```\n' "$indent"
			skipping=1
		fi
	done < "$file"
	[ $skipping = 0 ] || { echo "mk/docs.sh: $file: a block has no '<!-- end output -->'" >&2; return 1; }
}

rc=0
for f in README.md Patches/README.md; do
	new=$(mktemp)
	render "$f" > "$new"
	if [ $mode = write ]; then
		if cmp -s "$f" "$new"; then rm -f "$new"; else mv "$new" "$f"; echo "mk/docs.sh: updated $f"; fi
	else
		if ! diff -u "$f" "$new" > "$new.diff"; then
			echo "mk/docs.sh: $f is stale (run make docs):" >&2
			cat "$new.diff" >&2
			rc=1
		fi
		rm -f "$new" "$new.diff"
	fi
done
exit $rc
