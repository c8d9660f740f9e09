#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make test-install: a packager's round trip.  make install into a DESTDIR
# (with the debug build of kharness, which make test has built anyway),
# then the staged tree must hold exactly the files listed here, kshim.pc
# must name the final paths (not DESTDIR), the programs must run, and
# make uninstall must remove exactly those files (a file of somebody else
# in the same directories stays).  Once with the default layout under
# PREFIX=/usr/local, once with LIBDIR and MANDIR moved.
#
# Environment (from the Makefile): MAKE BUILD.
set -u
top=$(realpath -m "$BUILD/install-test")
rm -rf "$top"
mkdir -p "$top"
rc=0
fail() { echo "test-install: $*" >&2; rc=1; }

# $1 label, $2 expected file list (relative to DESTDIR), $3... make variables
round_trip() {
	local label=$1 want=$2
	shift 2
	local d="$top/$label"
	echo "== make install DESTDIR=$d $*"
	if ! $MAKE --no-print-directory install DESTDIR="$d" SWIFT_CONFIG=debug "$@" >"$top/$label.log" 2>&1; then
		tail -20 "$top/$label.log" >&2
		fail "$label: make install failed"
		return
	fi
	(cd "$d" && find . \( -type f -o -type l \) | sed 's|^\./|/|' | LC_ALL=C sort) >"$top/$label.got"
	if ! diff -u <(printf '%s\n' "$want" | LC_ALL=C sort) "$top/$label.got"; then
		fail "$label: the installed files are not the expected ones (diff above)"
	fi
	cat "$top/$label.got"
	# the pkg-config file names where things will be, not the staging dir
	local pc
	pc=$(grep '/kshim.pc$' "$top/$label.got")
	if grep -q "$d" "$d$pc"; then fail "$label: kshim.pc names DESTDIR"; fi
	local libdir
	libdir=$(sed -n 's/^libdir=//p' "$d$pc")
	[ -f "$d$libdir/libkshim.a" ] || fail "$label: kshim.pc libdir=$libdir has no libkshim.a"
	# the shared library: versioned file, soname link, development link
	local so
	so=$(readlink "$d$libdir/libkshim.so")
	[ "$so" = libkshim.so.0 ] || fail "$label: libkshim.so -> $so"
	[ "$(readlink "$d$libdir/libkshim.so.0")" = libkshim.so.0.1.0 ] || fail "$label: libkshim.so.0 link"
	readelf -d "$d$libdir/libkshim.so.0.1.0" | grep -q 'SONAME.*\[libkshim.so.0\]' || fail "$label: soname"
	# the programs run; the man page and completions are what they claim
	local bin
	bin=$(grep '/bin/kharness$' "$top/$label.got")
	"$d$bin" --version >/dev/null || fail "$label: the installed kharness does not run"
	local man
	man=$(grep '/kharness.1$' "$top/$label.got")
	head -1 "$d$man" | grep -q 'swift-argument-parser' || fail "$label: $man is not the generated man page"
	grep -q '^\.Nm kharness' "$d$man" || fail "$label: $man does not name kharness"
	grep -q '^complete .*-F _kharness kharness' "$d$(grep '/completions/kharness$' "$top/$label.got")" || fail "$label: bash completion"
	grep -q '#compdef kharness' "$d$(grep '/_kharness$' "$top/$label.got")" || fail "$label: zsh completion"
	grep -q "^complete -c 'kharness'" "$d$(grep '/kharness.fish$' "$top/$label.got")" || fail "$label: fish completion"
	# the completions offer scenario names (asked of the installed
	# kharness, as the scripts do) and patch files
	"$d$bin" ---completion run -- positional@0 "" | grep -qx seed-migrate-nonlinear ||
		fail "$label: kharness completes no scenario names"
	grep -q -- '---completion run -- positional@0' "$d$(grep '/completions/kharness$' "$top/$label.got")" ||
		fail "$label: the bash completion does not ask for scenario names"
	grep -q "'!\*\.@(patch|diff)'" "$d$(grep '/completions/kharness$' "$top/$label.got")" ||
		fail "$label: the bash completion does not offer patch files"
	# an installed kharness builds patched code from its own copy of the
	# shim (run outside any checkout): the id a build in the tree has
	local scratch="$top/$label.cwd" want_id got_id
	mkdir -p "$scratch"
	want_id=$(.build/debug/kharness build "$PWD/$PATCH" --prefix "$top/$label.tree-build" 2>/dev/null)
	got_id=$(cd "$scratch" && env -u KHARNESS_SHIM_DIR "$d$bin" build "$OLDPWD/$PATCH" --prefix "$top/$label.build" 2>"$top/$label.build.log")
	[ -n "$want_id" ] && [ "$got_id" = "$want_id" ] ||
		{ cat "$top/$label.build.log" >&2; fail "$label: the installed kharness build gave '$got_id', the tree's '$want_id'"; }
	# somebody else's file in one of the directories
	echo other >"$d$libdir/libother.so"
	if ! $MAKE --no-print-directory uninstall DESTDIR="$d" "$@" >>"$top/$label.log" 2>&1; then
		tail -20 "$top/$label.log" >&2
		fail "$label: make uninstall failed"
		return
	fi
	local left
	left=$(cd "$d" && find . \( -type f -o -type l \) | sed 's|^\./|/|')
	[ "$left" = "$libdir/libother.so" ] || fail "$label: after uninstall: $(echo $left)"
}

PATCH=Patches/0005-REVERT-mm-munlock-fix-deadlock-in-__munlock_pagevec.patch
# the shim's sources, as kharness gets them (ground truth: the tree)
shim() { (cd CKernelShim && find . -type f | sed "s|^\./|$1/kharness/CKernelShim/|"); }

round_trip default "$(shim /usr/local/share)
/usr/local/bin/kharness
/usr/local/include/kshim.h
/usr/local/lib/libkshim.a
/usr/local/lib/libkshim.so
/usr/local/lib/libkshim.so.0
/usr/local/lib/libkshim.so.0.1.0
/usr/local/lib/pkgconfig/kshim.pc
/usr/local/share/bash-completion/completions/kharness
/usr/local/share/fish/vendor_completions.d/kharness.fish
/usr/local/share/man/man1/kharness.1
/usr/local/share/zsh/site-functions/_kharness" PREFIX=/usr/local

round_trip debian "$(shim /usr/share)
/usr/bin/kharness
/usr/include/kshim.h
/usr/lib/x86_64-linux-gnu/libkshim.a
/usr/lib/x86_64-linux-gnu/libkshim.so
/usr/lib/x86_64-linux-gnu/libkshim.so.0
/usr/lib/x86_64-linux-gnu/libkshim.so.0.1.0
/usr/lib/x86_64-linux-gnu/pkgconfig/kshim.pc
/usr/share/bash-completion/completions/kharness
/usr/share/fish/vendor_completions.d/kharness.fish
/usr/share/man/man1/kharness.1
/usr/share/zsh/site-functions/_kharness" PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu

# bad input changes nothing
if $MAKE --no-print-directory install-lib DESTDIR="$top/bad" PREFIX=relative >/dev/null 2>&1; then
	fail "a relative PREFIX was accepted"
fi
[ ! -e "$top/bad" ] || fail "a refused install wrote $top/bad"
[ $rc = 0 ] && echo "test-install: both round trips exact"
exit $rc
