# SPDX-License-Identifier: GPL-2.0-only
#
# KernelHarness top-level Makefile.
#
#   make / make all        build/libkshim.a and build/kshim.pc (C users)
#   make install PREFIX=D  D/lib/libkshim.a, D/include/kshim.h, D/lib/pkgconfig/kshim.pc
#   make test              Swift tests, cmocka suites (against the installed
#                          library, through pkg-config), then make sanitize
#   make test-c            the cmocka suites only
#   make sanitize          the cmocka suites against a library built with
#                          -fsanitize=address,undefined (build/asan)
#   make docs              regenerate the kharness output quoted in the READMEs
#   make codeid            rewrite CKernelShim/runtime/codeid_files.h (the code
#                          identity's file list) after adding or removing a file
#   make ci-local          the CI recipe's commands (docs/ci/) on this machine
#   make scenarios         rewrite CKernelShim/runtime/scenarios_builtin.h from
#                          CKernelShim/scenarios/*.scenario (then make codeid)
#   make clean
#
# The C compiler must understand C23 #embed (runtime/codeid.c uses it to
# hash the kernel sources into the code identity): clang >= 19.  By
# default that is the clang on PATH (the Swift toolchain's).

SHELL := /bin/bash
.DEFAULT_GOAL := all

# `make CC=...` or CC in the environment wins; make's built-in "cc" does not.
ifneq ($(filter default undefined,$(origin CC)),)
CC := clang
endif
AR ?= ar
PKG_CONFIG ?= pkg-config
SWIFT ?= swift
PREFIX ?= /usr/local

# BUILD and SANFLAGS are overridden by `make sanitize` (a separate tree).
BUILD ?= build
SANFLAGS ?=

SRC_DIR := CKernelShim
# frame pointers: the runtime walks them for the call chain of a write
CFLAGS_KSHIM := -std=gnu11 -O2 -g -Wall -fno-omit-frame-pointer \
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
PC := $(BUILD)/kshim.pc

# cmocka suites: every Tests/cmocka/test_*.c is a separate program.
TEST_SRCS := $(sort $(wildcard Tests/cmocka/test_*.c))
STAGE = $(BUILD)/stage
TEST_BIN = $(BUILD)/tests
TEST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra
TEST_LIBS := -pthread

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
# The Swift toolchain's clang links with gold, which prints a warning per
# ASan helper symbol; the system's BFD ld links the same silently.
SAN_LDFLAGS := -fuse-ld=bfd
SAN_ENV := ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1


.PHONY: codeid scenarios ci-local
.PHONY: FORCE all lib install test test-swift test-c sanitize check-cc check-deps clean \
	demo check-patches bench docs

# ---------------------------------------------------------------------------
# The library and its pkg-config file

all: lib

lib: $(LIB) $(PC)

# $(BUILD)/.cc records the compiler and flags: changing them rebuilds
# everything.  A compiler without #embed fails here, with a message.
$(BUILD)/.cc: FORCE | $(BUILD)/.
	@echo '$(CC) $(CFLAGS_KSHIM) $(SANFLAGS)' > $@.new; \
	if cmp -s $@ $@.new; then rm -f $@.new; exit 0; fi; \
	printf 'static const unsigned char self[] = {\n#embed "embed-check.c"\n};\nint main(void) { return sizeof(self) == 0; }\n' \
		> $(BUILD)/embed-check.c; \
	if ! $(CC) -std=gnu11 -fsyntax-only $(BUILD)/embed-check.c 2>/dev/null; then \
		rm -f $@.new; \
		echo "error: CC='$(CC)' cannot compile C23 #embed (CKernelShim/runtime/codeid.c needs it)." >&2; \
		echo "       Use clang >= 19, e.g. the Swift toolchain's: make CC=/opt/swift/usr/bin/clang" >&2; \
		exit 1; \
	fi; \
	mv $@.new $@

check-cc: $(BUILD)/.cc

$(BUILD)/obj/%.o: $(SRC_DIR)/%.c $(BUILD)/.cc
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_KSHIM) $(SANFLAGS) $(DEPFLAGS) -c $< -o $@

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

# Rebuilt from scratch so objects of deleted sources leave the archive.
$(LIB): $(LIB_OBJS) $(BUILD)/.srcs
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

# kshim.pc for use straight from the build tree; install writes its own.
define kshim_pc
prefix=$(1)
includedir=$(2)
libdir=$(3)

Name: kshim
Description: KernelHarness shim: Linux mm code with scheduling-point primitives
Version: 0.1.0
Cflags: -I$${includedir}
Libs: -L$${libdir} -lkshim $(SANFLAGS)
endef

$(PC): Makefile | $(BUILD)/.
	$(file >$@,$(call kshim_pc,$(abspath $(BUILD)),$(abspath $(SRC_DIR)/include),$${prefix}))
	@echo "wrote $@"

$(BUILD)/.:
	@mkdir -p $@

FORCE:

-include $(LIB_OBJS:.o=.d)

# ---------------------------------------------------------------------------
# Install

install: $(LIB)
	@test -n "$(PREFIX)" || { echo "error: PREFIX is empty" >&2; exit 1; }
	install -d "$(PREFIX)/lib/pkgconfig" "$(PREFIX)/include"
	install -m 644 $(LIB) "$(PREFIX)/lib/libkshim.a"
	install -m 644 $(SRC_DIR)/include/kshim.h "$(PREFIX)/include/kshim.h"
	$(file >$(BUILD)/kshim.pc.install,$(call kshim_pc,$(abspath $(PREFIX)),$${prefix}/include,$${prefix}/lib))
	install -m 644 $(BUILD)/kshim.pc.install "$(PREFIX)/lib/pkgconfig/kshim.pc"

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
	$(MAKE) --no-print-directory sanitize || rc=1; \
	if [ $$rc = 0 ]; then echo "make test: all passed"; \
	else echo "make test: FAILED (see above)" >&2; fi; \
	exit $$rc

test-swift:
	@if [ -f Package.swift ]; then \
		echo "== swift test"; $(SWIFT) test; \
	else \
		echo "== swift test: SKIPPED (no Package.swift yet)"; \
	fi

# Each suite is compiled and linked as an outside suite would be: against
# the installed library, through pkg-config only.
test-c: check-deps
	@$(MAKE) --no-print-directory install PREFIX=$(abspath $(STAGE)) >/dev/null
	@mkdir -p $(TEST_BIN)
	@rc=0; \
	flags=$$(PKG_CONFIG_PATH=$(abspath $(STAGE))/lib/pkgconfig $(PKG_CONFIG) --cflags --libs kshim cmocka) || exit 1; \
	for src in $(TEST_SRCS); do \
		bin=$(TEST_BIN)/$$(basename $$src .c); \
		echo "== $$bin$(if $(SANFLAGS), (sanitized))"; \
		if ! $(CC) $(TEST_CFLAGS) $(SANFLAGS) $$src -o $$bin $$flags $(TEST_LIBS); then \
			echo "$$src: does not build" >&2; rc=1; continue; fi; \
		$(TEST_ENV) $$bin || { echo "$$bin: FAILED" >&2; rc=1; }; \
	done; \
	[ -n "$(TEST_SRCS)" ] || echo "no Tests/cmocka/test_*.c"; \
	exit $$rc

sanitize: check-deps
	@$(MAKE) --no-print-directory test-c BUILD=build/asan \
		SANFLAGS="$(SAN_FLAGS)" TEST_LIBS="$(TEST_LIBS) $(SAN_LDFLAGS)" \
		TEST_ENV="$(SAN_ENV)"

# ---------------------------------------------------------------------------
# The main job, patch matrix and benchmarks, all through a
# release build of kharness.

KHARNESS := .build/release/kharness
SEED_SCENARIOS := seed-migrate-nonlinear,seed-reclaim-nonlinear

$(KHARNESS): FORCE
	@echo "== swift build -c release (kharness)"
	@$(SWIFT) build -c release --product kharness 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -3

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
