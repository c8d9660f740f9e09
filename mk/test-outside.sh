#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make test-outside: Tests/cmocka/outside/test_outside.c as an outside
# project builds it: install the library into a fresh prefix, then compile
# and link only through that prefix's kshim.pc, once against libkshim.a
# and once against libkshim.so, and run both.  With CHECK_GCC=yes the
# library is built by gcc as well (another build tree) and the suite is
# run against that one; its code id must be the clang build's.
#
# Environment (from the Makefile): CC MAKE BUILD SANFLAGS TEST_CFLAGS
# TEST_LIBS TEST_RUNNER PKG_CONFIG CHECK_GCC; KSHIM_PATCHED_TOKEN and
# KSHIM_PATCHED_PC (a kharness build prefix's kshim.pc) are passed on.
set -u
src=Tests/cmocka/outside/test_outside.c
out=$(realpath -m "$BUILD/outside")
rm -rf "$out"
mkdir -p "$out"
rc=0

fail() { echo "test-outside: $*" >&2; rc=1; }

# $1 label, $2 build tree, $3 compiler
suite() {
	local label=$1 tree=$2 cc=$3 prefix="$out/$1/prefix"
	if ! $MAKE --no-print-directory install-lib BUILD="$tree" CC="$cc" PREFIX="$prefix" >"$out/$label.install.log" 2>&1; then
		cat "$out/$label.install.log" >&2
		fail "$label: make install-lib failed"
		return
	fi
	export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
	local cflags kshim cmocka libdir codeid
	cflags=$($PKG_CONFIG --cflags kshim cmocka) || { fail "$label: pkg-config kshim"; return; }
	kshim=$($PKG_CONFIG --libs kshim)
	cmocka=$($PKG_CONFIG --libs cmocka)
	libdir=$($PKG_CONFIG --variable=libdir kshim)
	codeid=$($PKG_CONFIG --variable=codeid kshim)
	[ -n "$codeid" ] || fail "$label: kshim.pc has no codeid"
	echo "$codeid" >"$out/$label.codeid"
	local how bin
	for how in static shared; do
		bin="$out/$label/test_outside-$how"
		echo "== $bin${SANFLAGS:+ (sanitized)}${TEST_RUNNER:+ (under ${TEST_RUNNER%% *})}"
		if [ "$how" = static ]; then
			link="-Wl,-Bstatic $kshim -Wl,-Bdynamic $cmocka"
		else
			link="$kshim $cmocka -Wl,-rpath,$libdir"
		fi
		# shellcheck disable=SC2086
		if ! $cc $TEST_CFLAGS $SANFLAGS $cflags "$src" -o "$bin" $link $TEST_LIBS; then
			fail "$bin: does not build"
			continue
		fi
		# the program is linked the way it says
		if readelf -d "$bin" | grep -q 'NEEDED.*libkshim'; then
			[ "$how" = shared ] || fail "$bin: linked against libkshim.so, expected the archive"
		else
			[ "$how" = static ] || fail "$bin: not linked against libkshim.so"
		fi
		# shellcheck disable=SC2086
		KSHIM_CODE_ID="$codeid" $TEST_RUNNER "$bin" || fail "$bin: FAILED"
	done
	unset PKG_CONFIG_PATH
}

# A patched build (kharness build), the token of its deadlock (kharness
# run --patch), and the documented example pinning it.  Needs kharness:
# $KHARNESS, else the debug build make test-swift made.
patched() {
	local patch=Patches/0005-REVERT-mm-munlock-fix-deadlock-in-__munlock_pagevec.patch
	local p="$out/patched" id runout
	echo "== $KHARNESS build $patch --prefix $p"
	id=$("$KHARNESS" build "$patch" --prefix "$p" 2>"$out/patched.log") || {
		cat "$out/patched.log" >&2; fail "kharness build failed"; return; }
	[ "$(PKG_CONFIG_PATH=$p/lib/pkgconfig $PKG_CONFIG --variable=codeid kshim)" = "$id" ] ||
		fail "kharness build printed $id, its kshim.pc says otherwise"
	runout=$("$KHARNESS" run munlock-vs-unmap --patch "$patch" 2>&1)
	KSHIM_PATCHED_TOKEN=$(printf '%s\n' "$runout" | sed -n 's/^replay: kharness replay \(ksim1:[^ ]*\)$/\1/p' | head -1)
	case "$KSHIM_PATCHED_TOKEN" in
	"ksim1:munlock-vs-unmap:$id:"*) ;;
	*) printf '%s\n' "$runout" | head -20 >&2; fail "kharness run --patch gave no token of build $id"; return;;
	esac
	export KSHIM_PATCHED_TOKEN
	echo "   token $KSHIM_PATCHED_TOKEN"
	local bin="$out/patched/example_patched_deadlock"
	# shellcheck disable=SC2086
	if ! $CC $TEST_CFLAGS $SANFLAGS Tests/cmocka/outside/example_patched_deadlock.c -o "$bin" \
		$(PKG_CONFIG_PATH=$p/lib/pkgconfig $PKG_CONFIG --cflags --libs kshim cmocka) $TEST_LIBS; then
		fail "$bin: does not build"; return
	fi
	# the library kharness builds has DWARF 5 (its line coverage reads
	# that), which valgrind 3.19 gives up on: run it as it is
	local runner=$TEST_RUNNER
	case "$runner" in valgrind*) runner=; echo "   (not under valgrind: the patched library's DWARF 5 is more than valgrind 3.19 reads)";; esac
	echo "== $bin${runner:+ (under ${runner%% *})}"
	# shellcheck disable=SC2086
	$runner "$bin" || fail "$bin: FAILED"
}

KHARNESS=${KHARNESS:-.build/debug/kharness}
if [ -x "$KHARNESS" ]; then
	patched
else
	echo "== no kharness at $KHARNESS (make test-swift builds it): the patched build is not checked"
fi
suite "$(basename "$CC")" "$BUILD" "$CC"
if [ "${CHECK_GCC:-no}" = yes ]; then
	if command -v gcc >/dev/null 2>&1; then
		suite gcc "$BUILD/gcc" gcc
		a=$(cat "$out/$(basename "$CC").codeid" 2>/dev/null)
		b=$(cat "$out/gcc.codeid" 2>/dev/null)
		[ -n "$a" ] && [ "$a" = "$b" ] || fail "code id of the gcc build ($b) is not the $CC build's ($a)"
	else
		echo "== gcc: not installed, the gcc build is not checked"
	fi
fi
exit $rc
