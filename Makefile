# SPDX-License-Identifier: GPL-2.0-only
#
# KernelHarness top-level Makefile.
#
#   make / make all        build/libkshim.a, build/libkshim.so and build/kshim.pc
#   make install           kharness, its man page and shell completions, the
#                          library (static and shared), kshim.h and kshim.pc;
#                          PREFIX (/usr/local), DESTDIR, BINDIR, LIBDIR,
#                          INCLUDEDIR, MANDIR, DATADIR as packagers expect
#   make install-lib       only the library, kshim.h and kshim.pc
#   make uninstall         removes exactly what make install installed (same
#                          variables)
#   make test              Swift tests, cmocka suites (against the installed
#                          library, through pkg-config), the outside suite,
#                          the install round trip, then make sanitize
#   make test-c            the cmocka suites only (and the outside suite)
#   make test-outside      Tests/cmocka/outside built through an installed
#                          kshim.pc, static and shared, clang and gcc
#   make test-install      make install DESTDIR=... and uninstall, exact files
#   make sanitize          the cmocka suites against a library built with
#                          -fsanitize=address,undefined (build/asan)
#   make valgrind          the cmocka suites under valgrind --leak-check=full
#   make docs              regenerate the kharness output quoted in the READMEs
#   make codeid            rewrite CKernelShim/runtime/codeid_files.h (the code
#                          identity's file list) after adding or removing a file
#   make ci-local          the CI recipe's commands (docs/ci/) on this machine
#   make scenarios         rewrite CKernelShim/runtime/scenarios_builtin.h from
#                          CKernelShim/scenarios/*.scenario (then make codeid)
#   make clean
#
# The library builds with clang or gcc (make CC=gcc).  With a compiler that
# has C23 #embed (clang >= 19) runtime/codeid.c hashes the sources it
# embeds, as the SwiftPM build does; with another one the same hash is
# computed at build time by build/codeid-tool (mk/codeid-tool.c) into a
# generated header.  By default CC is the clang on PATH (the Swift
# toolchain's).

SHELL := /bin/bash
.DEFAULT_GOAL := all


# `make CC=...` or CC in the environment wins; make's built-in "cc" does not.
ifneq ($(filter default undefined,$(origin CC)),)
CC := clang
endif
AR ?= ar
LD := $(if $(filter default undefined,$(origin LD)),ld,$(LD))
OBJCOPY ?= objcopy
NM ?= nm
PKG_CONFIG ?= pkg-config
SWIFT ?= swift
PREFIX ?= /usr/local

# BUILD and SANFLAGS are overridden by `make sanitize` (a separate tree).
BUILD ?= build
SANFLAGS ?=

SRC_DIR := CKernelShim
# frame pointers: the runtime walks them for the call chain of a write;
# DWARF 4: valgrind 3.19 (Debian 12) gives up on DWARF 5; position
# independent, so the same objects make the static and the shared library;
# the thread's world is read with one load (initial-exec TLS, fine for a
# program and for a library it is linked with); no strict aliasing, as the
# kernel is built (gcc warns about the stubs' type punning otherwise); the
# kernel's statement-like macros are no-ops here (gcc's unused-value).
CFLAGS_KSHIM := -std=gnu11 -O2 -g -gdwarf-4 -Wall -Wno-unused-value \
	-fno-omit-frame-pointer -fno-strict-aliasing -fPIC -DKSIM_TLS_IE \
	-I $(SRC_DIR)/include -I $(SRC_DIR)/stubs -I $(SRC_DIR)/runtime
DEPFLAGS = -MMD -MP

# Every .c of these folders joins the library; mm/ grows as it is written.
LIB_SRCS := $(sort $(wildcard $(SRC_DIR)/runtime/*.c) \
		   $(wildcard $(SRC_DIR)/model/*.c) \
		   $(wildcard $(SRC_DIR)/mm/*.c))
LIB_OBJS := $(patsubst $(SRC_DIR)/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
# codeid.c #embeds every file of the shim (runtime/codeid_files.h lists
# them): a file that changes anywhere under it changes the code identity.
ID_LIST := $(SRC_DIR)/runtime/codeid_files.h
ID_FILES := $(shell find $(SRC_DIR) -type f 2>/dev/null | LC_ALL=C sort)

LIB := $(BUILD)/libkshim.a
# the shared library: soname libkshim.so.MAJOR, file libkshim.so.VERSION
KSHIM_VERSION := 0.1.0
KSHIM_SOMAJOR := 0
SONAME := libkshim.so.$(KSHIM_SOMAJOR)
SO := $(BUILD)/libkshim.so.$(KSHIM_VERSION)
PC := $(BUILD)/kshim.pc

# cmocka suites: every Tests/cmocka/test_*.c is a separate program.
TEST_SRCS := $(sort $(wildcard Tests/cmocka/test_*.c))
STAGE = $(BUILD)/stage
TEST_BIN = $(BUILD)/tests
TEST_CFLAGS := -std=gnu11 -O1 -g -gdwarf-4 -Wall -Wextra
TEST_LIBS := -pthread

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
# The Swift toolchain's clang links with gold, which prints a warning per
# ASan helper symbol; the system's BFD ld links the same silently.
SAN_LDFLAGS := -fuse-ld=bfd
SAN_ENV := ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1


.PHONY: codeid check-browser scenarios ci-local
.PHONY: FORCE all lib install install-lib install-bin uninstall test-outside test-install valgrind test test-swift test-c sanitize check-cc check-deps clean \
	demo check-patches bench docs

# ---------------------------------------------------------------------------
# The library and its pkg-config file

all: lib

lib: $(LIB) $(SO) $(PC)

# $(BUILD)/.cc records the compiler and flags: changing them rebuilds
# everything.  $(BUILD)/.embed says whether it has C23 #embed.
$(BUILD)/.cc: FORCE | $(BUILD)/.
	@echo '$(CC) $(CFLAGS_KSHIM) $(SANFLAGS)' > $@.new; \
	if cmp -s $@ $@.new && [ -f $(BUILD)/.embed ]; then rm -f $@.new; exit 0; fi; \
	printf 'static const unsigned char self[] = {\n#embed "embed-check.c"\n};\nint main(void) { return sizeof(self) == 0; }\n' \
		> $(BUILD)/embed-check.c; \
	if $(CC) -std=gnu11 -fsyntax-only $(BUILD)/embed-check.c 2>/dev/null; then \
		echo yes > $(BUILD)/.embed; else echo no > $(BUILD)/.embed; fi; \
	mv $@.new $@

check-cc: $(BUILD)/.cc

$(BUILD)/obj/%.o: $(SRC_DIR)/%.c $(BUILD)/.cc
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_KSHIM) $(SANFLAGS) $(DEPFLAGS) -c $< -o $@

# Without #embed, the code identity comes from a generated header: the
# hash of the files runtime/codeid_files.h lists, by the host tool.
CODEID_TOOL := $(BUILD)/codeid-tool
$(CODEID_TOOL): mk/codeid-tool.c $(SRC_DIR)/runtime/sha256.c $(SRC_DIR)/include/kshim.h | $(BUILD)/.
	$(CC) -std=gnu11 -O1 -I $(SRC_DIR)/include mk/codeid-tool.c $(SRC_DIR)/runtime/sha256.c -o $@

$(BUILD)/codeid_value.h: $(CODEID_TOOL) $(ID_FILES) $(BUILD)/.idlist
	@$(CODEID_TOOL) $(SRC_DIR) $$(sed -n 's/^\t{ "\(.*\)", ksim_id_f[0-9]*, .*/\1/p' $(ID_LIST)) > $@.new && mv $@.new $@

$(BUILD)/obj/runtime/codeid.o: $(SRC_DIR)/runtime/codeid.c $(BUILD)/.cc $(BUILD)/codeid_value.h
	@mkdir -p $(@D)
	@if [ "$$(cat $(BUILD)/.embed)" = yes ]; then idflags=; else \
		idflags="-DKSIM_CODE_ID_HEADER=\"codeid_value.h\" -I $(BUILD)"; fi; \
	echo "$(CC) ... -c $< $$idflags"; \
	$(CC) $(CFLAGS_KSHIM) $(SANFLAGS) $(DEPFLAGS) $$idflags -c $< -o $@

# $(BUILD)/.srcs records the source list: a file added to or removed from
# the globbed folders rebuilds the archive (and the code identity).
$(BUILD)/.srcs: FORCE | $(BUILD)/.
	@echo '$(LIB_SRCS) $(ID_FILES)' > $@.new; \
	if cmp -s $@ $@.new; then rm -f $@.new; else mv $@.new $@; fi

$(BUILD)/obj/runtime/codeid.o: $(ID_FILES) $(BUILD)/.srcs $(BUILD)/.idlist

# The list must name exactly the tree's files, or the identity misses some.
$(BUILD)/.idlist: FORCE | $(BUILD)/.
	@mk/codeid-files.sh $(SRC_DIR) > $@.new || { rm -f $@.new; exit 1; }; \
	if ! cmp -s $@.new $(ID_LIST); then \
		rm -f $@.new; \
		echo "error: $(ID_LIST) does not list the files of $(SRC_DIR) (a file was added or removed): run make codeid" >&2; \
		exit 1; \
	fi; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

# The built-in scenarios are compiled in from their files: the generated
# header must be the one the files call for.
SCN_HEADER := $(SRC_DIR)/runtime/scenarios_builtin.h
$(BUILD)/obj/runtime/registry.o: $(BUILD)/.scenarios
$(BUILD)/.scenarios: FORCE | $(BUILD)/.
	@mk/scenarios-header.sh $(SRC_DIR) > $@.new || { rm -f $@.new; exit 1; }; \
	if ! cmp -s $@.new $(SCN_HEADER); then \
		rm -f $@.new; \
		echo "error: $(SCN_HEADER) is not the one $(SRC_DIR)/scenarios/ calls for (a scenario file changed): run make scenarios" >&2; \
		exit 1; \
	fi; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

scenarios: | $(BUILD)/.
	mk/scenarios-header.sh $(SRC_DIR) > $(BUILD)/scenarios_builtin.h.new && mv $(BUILD)/scenarios_builtin.h.new $(SCN_HEADER)

# Rewrite the list after adding or removing a file under CKernelShim/.
# (The new list is written outside the tree, or it would list itself.)
codeid: | $(BUILD)/.
	mk/codeid-files.sh $(SRC_DIR) > $(BUILD)/codeid_files.h.new && mv $(BUILD)/codeid_files.h.new $(ID_LIST)

# One relocatable object of every source, in which only the ksim_* names
# stay global: the kernel functions the shim compiles (put_page,
# migrate_pages, find_vma ...) are local, so a program may define its own
# and link with libraries (libnuma) that do.  (A sanitized build keeps the
# sanitizer's common symbols.)  Rebuilt from scratch so objects of deleted
# sources leave it.
$(BUILD)/kshim.o: $(LIB_OBJS) $(BUILD)/.srcs
	@$(LD) -r -o $@.all.o $(LIB_OBJS)
	@$(OBJCOPY) --wildcard --keep-global-symbol='ksim_*' $@.all.o $@
	@rm -f $@.all.o
	@bad=$$($(NM) -g --defined-only $@ | awk '$$3 !~ /^(ksim_|_+(asan|ubsan|sancov))/ {print $$3}' | head -5); \
	if [ -n "$$bad" ]; then echo "error: $@ exports non-ksim names: $$bad" >&2; rm -f $@; exit 1; fi

$(LIB): $(BUILD)/kshim.o
	@rm -f $@
	$(AR) rcs $@ $(BUILD)/kshim.o

# -Bsymbolic: the library's own calls of its ksim_* functions stay inside it.
$(SO): $(BUILD)/kshim.o
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,-Bsymbolic $(if $(SANFLAGS),,-Wl,-z,defs) \
		-o $@ $(BUILD)/kshim.o -pthread
	@ln -sf $(notdir $(SO)) $(BUILD)/$(SONAME)
	@ln -sf $(SONAME) $(BUILD)/libkshim.so

# kshim.pc for use straight from the build tree; install writes its own.
# codeid: the code identity of this build (what schedule tokens carry),
# e.g. pkg-config --variable=codeid kshim.
define kshim_pc
prefix=$(1)
includedir=$(2)
libdir=$(3)
codeid=$(4)

Name: kshim
Description: KernelHarness shim: Linux mm code with scheduling-point primitives
Version: $(KSHIM_VERSION)
Cflags: -I$${includedir}
Libs: -L$${libdir} -lkshim $(SANFLAGS)
Libs.private: -pthread
endef

# The code id as the hash tool computes it (the library's #embed path must
# agree: the outside suite checks ksim_code_id() against this).
CODEID = $(shell sed -n 's/.*KSIM_CODE_ID_VALUE "\(.*\)"/\1/p' $(BUILD)/codeid_value.h)

$(PC): Makefile $(BUILD)/codeid_value.h | $(BUILD)/.
	$(file >$@,$(call kshim_pc,$(abspath $(BUILD)),$(abspath $(SRC_DIR)/include),$${prefix},$(CODEID)))
	@echo "wrote $@"

$(BUILD)/.:
	@mkdir -p $@

FORCE:

-include $(LIB_OBJS:.o=.d)

# ---------------------------------------------------------------------------
# Install.  DESTDIR is prepended to every path (staged installs); kshim.pc
# names the final ones.

DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
PCDIR = $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d

# What install-lib and install-bin put where (uninstall removes these).
LIB_FILES = $(LIBDIR)/libkshim.a $(LIBDIR)/libkshim.so.$(KSHIM_VERSION) \
	$(LIBDIR)/$(SONAME) $(LIBDIR)/libkshim.so $(INCLUDEDIR)/kshim.h $(PCDIR)/kshim.pc
# kharness builds patched code from a copy of the shim's sources (what
# `kharness build` and `--patch` compile): DATADIR/kharness/CKernelShim.
SHIMDIR = $(DATADIR)/kharness/CKernelShim
SHIM_FILES := $(shell cd $(SRC_DIR) 2>/dev/null && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
BIN_FILES = $(BINDIR)/kharness $(MANDIR)/man1/kharness.1 \
	$(BASHCOMPDIR)/kharness $(ZSHCOMPDIR)/_kharness $(FISHCOMPDIR)/kharness.fish \
	$(addprefix $(SHIMDIR)/,$(SHIM_FILES))

define check_dirs
	@for v in PREFIX:'$(PREFIX)' LIBDIR:'$(LIBDIR)' INCLUDEDIR:'$(INCLUDEDIR)' BINDIR:'$(BINDIR)' DATADIR:'$(DATADIR)' MANDIR:'$(MANDIR)'; do \
		case "$${v#*:}" in /*) ;; *) echo "error: $${v%%:*} must be an absolute path (got '$${v#*:}')" >&2; exit 1;; esac; \
	done
endef

install: install-lib install-bin

install-lib: lib
	$(check_dirs)
	install -d "$(DESTDIR)$(LIBDIR)" "$(DESTDIR)$(PCDIR)" "$(DESTDIR)$(INCLUDEDIR)"
	install -m 644 $(LIB) "$(DESTDIR)$(LIBDIR)/libkshim.a"
	install -m 755 $(SO) "$(DESTDIR)$(LIBDIR)/libkshim.so.$(KSHIM_VERSION)"
	ln -sf libkshim.so.$(KSHIM_VERSION) "$(DESTDIR)$(LIBDIR)/$(SONAME)"
	ln -sf $(SONAME) "$(DESTDIR)$(LIBDIR)/libkshim.so"
	install -m 644 $(SRC_DIR)/include/kshim.h "$(DESTDIR)$(INCLUDEDIR)/kshim.h"
	$(file >$(BUILD)/kshim.pc.install,$(call kshim_pc,$(PREFIX),$(INCLUDEDIR),$(LIBDIR),$(CODEID)))
	install -m 644 $(BUILD)/kshim.pc.install "$(DESTDIR)$(PCDIR)/kshim.pc"

# kharness, its man page (swift-argument-parser's generate-manual plugin,
# which builds offline from the checked-out package) and completions.
MAN_OUT := .build/plugins/GenerateManual/outputs/kharness/kharness.1
install-bin: $(KHARNESS)
	$(check_dirs)
	@rm -f $(MAN_OUT)
	@$(SWIFT) package --disable-sandbox generate-manual --configuration $(SWIFT_CONFIG) >$(BUILD)/man.log 2>&1 && [ -f $(MAN_OUT) ] || \
		{ cat $(BUILD)/man.log >&2; echo "error: swift package generate-manual did not write $(MAN_OUT)" >&2; exit 1; }
	@mkdir -p $(BUILD)/completions
	$(KHARNESS) --generate-completion-script bash > $(BUILD)/completions/kharness.bash
	$(KHARNESS) --generate-completion-script zsh > $(BUILD)/completions/_kharness
	$(KHARNESS) --generate-completion-script fish > $(BUILD)/completions/kharness.fish
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(BASHCOMPDIR)" \
		"$(DESTDIR)$(ZSHCOMPDIR)" "$(DESTDIR)$(FISHCOMPDIR)"
	install -m 755 $(KHARNESS) "$(DESTDIR)$(BINDIR)/kharness"
	install -m 644 $(MAN_OUT) "$(DESTDIR)$(MANDIR)/man1/kharness.1"
	install -m 644 $(BUILD)/completions/kharness.bash "$(DESTDIR)$(BASHCOMPDIR)/kharness"
	install -m 644 $(BUILD)/completions/_kharness "$(DESTDIR)$(ZSHCOMPDIR)/_kharness"
	install -m 644 $(BUILD)/completions/kharness.fish "$(DESTDIR)$(FISHCOMPDIR)/kharness.fish"
	@for f in $(SHIM_FILES); do \
		install -D -m 644 "$(SRC_DIR)/$$f" "$(DESTDIR)$(SHIMDIR)/$$f" || exit 1; \
	done; echo "installed $(words $(SHIM_FILES)) files of $(SRC_DIR) in $(DESTDIR)$(SHIMDIR)"

# Exactly the files install puts there (directories stay: they may be
# shared with other packages).
uninstall:
	$(check_dirs)
	@rm -f $(addprefix "$(DESTDIR),$(addsuffix ",$(LIB_FILES) $(BIN_FILES)))
	@echo "removed $(words $(LIB_FILES) $(BIN_FILES)) files under $(DESTDIR)$(PREFIX)"

# ---------------------------------------------------------------------------
# Fresh machine: pkg-config and cmocka come from apt when missing.

# $(call apt_install,PACKAGE,WHY)
define apt_install
	if [ "$$(id -u)" = 0 ]; then sudo=; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=sudo; \
	else echo "error: $(2) is missing: install the package $(1) (apt-get install $(1)); not root and no sudo" >&2; exit 1; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "error: $(2) is missing and apt-get is not available: install the package $(1)" >&2; exit 1; fi; \
	echo "$(2) is missing: installing $(1) with apt-get"; \
	$$sudo apt-get update -q && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1) || \
		{ echo "error: could not install $(1): install the package $(1) by hand" >&2; exit 1; }
endef

check-deps:
	@command -v $(PKG_CONFIG) >/dev/null 2>&1 || { $(call apt_install,pkg-config,pkg-config); }
	@$(PKG_CONFIG) --exists cmocka || { $(call apt_install,libcmocka-dev,cmocka); }
	@$(PKG_CONFIG) --exists cmocka || { \
		echo "error: pkg-config still cannot find cmocka: install the package libcmocka-dev" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Tests

test:
	@rc=0; \
	$(MAKE) --no-print-directory test-swift || rc=1; \
	$(MAKE) --no-print-directory test-c || rc=1; \
	$(MAKE) --no-print-directory test-install || rc=1; \
	$(MAKE) --no-print-directory sanitize || rc=1; \
	if [ $$rc = 0 ]; then echo "make test: all passed"; \
	else echo "make test: FAILED (see above)" >&2; fi; \
	exit $$rc

# The HTML report's tests render it in headless Chromium.
check-browser:
	@command -v chromium >/dev/null 2>&1 || { $(call apt_install,chromium,chromium (the HTML report tests render in it)); }

test-swift: check-browser
	@if [ -f Package.swift ]; then \
		echo "== swift test"; $(SWIFT) test; \
	else \
		echo "== swift test: SKIPPED (no Package.swift yet)"; \
	fi

# Each suite is compiled and linked as an outside suite would be: against
# the installed library (the static one), through pkg-config only.
# TEST_RUNNER runs each program (make valgrind sets it).
test-c: check-deps
	@$(MAKE) --no-print-directory install-lib PREFIX=$(abspath $(STAGE)) >/dev/null
	@mkdir -p $(TEST_BIN)
	@rc=0; \
	pc="PKG_CONFIG_PATH=$(abspath $(STAGE))/lib/pkgconfig"; \
	flags="$$(env $$pc $(PKG_CONFIG) --cflags kshim cmocka) -Wl,-Bstatic $$(env $$pc $(PKG_CONFIG) --libs kshim) \
		-Wl,-Bdynamic $$(env $$pc $(PKG_CONFIG) --libs cmocka)" || exit 1; \
	for src in $(TEST_SRCS); do \
		bin=$(TEST_BIN)/$$(basename $$src .c); \
		echo "== $$bin$(if $(SANFLAGS), (sanitized))$(if $(TEST_RUNNER), (under $(firstword $(TEST_RUNNER))))"; \
		if ! $(CC) $(TEST_CFLAGS) $(SANFLAGS) $$src -o $$bin $$flags $(TEST_LIBS); then \
			echo "$$src: does not build" >&2; rc=1; continue; fi; \
		$(TEST_ENV) $(TEST_RUNNER) $$bin || { echo "$$bin: FAILED" >&2; rc=1; }; \
	done; \
	[ -n "$(TEST_SRCS)" ] || echo "no Tests/cmocka/test_*.c"; \
	$(MAKE) --no-print-directory test-outside || rc=1; \
	exit $$rc

# The outside suite (Tests/cmocka/outside): built only through the kshim.pc
# of an installed copy, linked static and shared; with gcc too (a library
# built by gcc, CHECK_GCC=no skips it); see mk/test-outside.sh.
CHECK_GCC ?= $(if $(SANFLAGS),no,yes)
test-outside: check-deps
	@CC='$(CC)' MAKE='$(MAKE)' BUILD='$(BUILD)' SANFLAGS='$(SANFLAGS)' TEST_CFLAGS='$(TEST_CFLAGS)' \
		TEST_LIBS='$(TEST_LIBS)' TEST_RUNNER='$(TEST_RUNNER)' PKG_CONFIG='$(PKG_CONFIG)' \
		CHECK_GCC='$(CHECK_GCC)' $(TEST_ENV) bash mk/test-outside.sh

# make install DESTDIR=... and make uninstall, round trip: exactly the
# expected files (mk/test-install.sh), with the debug build of kharness.
test-install:
	@MAKE='$(MAKE)' BUILD='$(BUILD)' bash mk/test-install.sh

# valgrind: the cmocka suites, a library built for it (build/valgrind).
VALGRIND ?= valgrind
VALGRIND_FLAGS := -q --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect,possible \
	--show-leak-kinds=definite,indirect,possible \
	--suppressions=$(abspath mk/valgrind.supp)
valgrind: check-deps
	@command -v $(VALGRIND) >/dev/null 2>&1 || { $(call apt_install,valgrind,valgrind); }
	@$(MAKE) --no-print-directory test-c BUILD=build/valgrind CHECK_GCC=no \
		TEST_RUNNER="$(VALGRIND) $(VALGRIND_FLAGS)"

sanitize: check-deps
	@$(MAKE) --no-print-directory test-c BUILD=build/asan \
		SANFLAGS="$(SAN_FLAGS)" TEST_LIBS="$(TEST_LIBS) $(SAN_LDFLAGS)" \
		TEST_ENV="$(SAN_ENV)"

# ---------------------------------------------------------------------------
# The main job, patch matrix and benchmarks, all through a
# release build of kharness.

# SWIFT_CONFIG=debug: the debug build (make test-install uses it).
SWIFT_CONFIG ?= release
KHARNESS := .build/$(SWIFT_CONFIG)/kharness
SEED_SCENARIOS := seed-migrate-nonlinear,seed-reclaim-nonlinear

$(KHARNESS): FORCE
	@echo "== swift build -c $(SWIFT_CONFIG) (kharness)"
	@$(SWIFT) build -c $(SWIFT_CONFIG) --product kharness 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -3

# The CI recipe's commands (docs/ci/kharness-ci.sh), as its jobs run them.
ci-local: $(KHARNESS)
	@rm -rf $(BUILD)/ci
	@for i in 1 2 3 4; do KHARNESS=$(KHARNESS) docs/ci/kharness-ci.sh explore $$i 4 $(BUILD)/ci || exit $$?; done
	KHARNESS=$(KHARNESS) docs/ci/kharness-ci.sh merge $(BUILD)/ci
	KHARNESS=$(KHARNESS) KHARNESS_CI_FINDINGS=$(BUILD)/ci/findings docs/ci/kharness-ci.sh check-patch Patches/0001-*.patch

# The matrix exits 1 when a column is bad, and Patches/series holds wrong
# fixes on purpose: only another code (untestable, bad input) is a failure.
define matrix_exit
rc=$$?; if [ $$rc -ne 0 ] && [ $$rc -ne 1 ]; then echo "the patch matrix failed (exit $$rc)" >&2; exit 1; fi
endef

# demo: the seed scenario unpatched -> BUG report and timeline; with the
# seed fix -> every schedule explored, clean; then the patch matrix.
demo: $(KHARNESS)
	@echo
	@echo "== 1/3  Linux v3.13 as it was: migrate_pages(2) on a page of a VM_LOCKED nonlinear vma"
	@echo "==      kharness run seed-migrate-nonlinear"
	@$(KHARNESS) run seed-migrate-nonlinear --jobs 1; rc=$$?; \
		if [ $$rc -ne 1 ]; then echo "demo: expected the seed BUG (exit 1), got exit $$rc" >&2; exit 1; fi
	@echo
	@echo "== 2/3  With Patches/0001 (trylock_page in try_to_unmap_cluster): every interleaving"
	@echo "==      kharness check-patch Patches/0001-*.patch --scenarios $(SEED_SCENARIOS)"
	@$(KHARNESS) check-patch Patches/0001-*.patch --scenarios $(SEED_SCENARIOS)
	@echo
	@echo "== 3/3  The patch matrix: each patch of Patches/series alone, then the series"
	@echo "==      kharness check-patch --series Patches/series --time 1.5   (make check-patches: --time 10)"
	@$(KHARNESS) check-patch --series Patches/series --time 1.5 --fuzz-time 1 \
		--findings-dir build/kharness-findings --json-out build/patch-matrix.json; \
		$(call matrix_exit)
	@echo "(JSON: build/patch-matrix.json)"

# check-patches: the same matrix with a larger budget, as a table and JSON.
check-patches: $(KHARNESS)
	@$(KHARNESS) check-patch --series Patches/series --time 10 \
		--findings-dir build/kharness-findings --json-out build/patch-matrix.json; \
		$(call matrix_exit)
	@echo "(JSON: build/patch-matrix.json)"

# docs: rewrite the kharness output quoted in README.md and Patches/README.md
# (each block names the command that makes it; make test checks them).
docs: $(KHARNESS)
	@KHARNESS=$(KHARNESS) bash mk/docs.sh

# bench: kharness bench, table and JSON.
bench: $(KHARNESS)
	@$(MAKE) --no-print-directory -f mk/stress.mk >/dev/null
	@$(KHARNESS) bench --json-out build/bench.json
	@echo "(JSON: build/bench.json)"

-include mk/*.mk

# ---------------------------------------------------------------------------

clean:
	rm -rf build
