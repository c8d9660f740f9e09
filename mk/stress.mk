# SPDX-License-Identifier: GPL-2.0-only
#
# The pthread stress baseline (issue 7 item 2): the same kernel and model C,
# compiled against the same stub headers, linked with a runtime in which
# tasks are real threads and primitives are real locks.
#
#   make stress          build/kshim-stress
#   make stress-check    it finds the toy bugs it should, and no others
#   make stress-clean
#
# Included by the top-level Makefile, or alone: make -f mk/stress.mk
# The C compiler must understand C23 #embed (runtime/codeid.c): clang >= 19.

ifneq ($(filter default undefined,$(origin CC)),)
CC := clang
endif
BUILD ?= build
SRC_DIR ?= CKernelShim

STRESS_BIN := $(BUILD)/kshim-stress
STRESS_OBJ := $(BUILD)/stress-obj
STRESS_CFLAGS := -std=gnu11 -O2 -g -Wall -pthread \
	-I $(SRC_DIR)/include -I $(SRC_DIR)/stubs -I $(SRC_DIR)/runtime

# The runtime files that do not depend on coroutines, the kernel code and
# the models, exactly as the library compiles them; then stress/.
# STRESS_MM_SRCS= (empty) builds the toy model alone.
STRESS_SHARED := world.c registry.c report.c run.c held.c codeid.c
STRESS_MM_SRCS ?= $(wildcard $(SRC_DIR)/mm/*.c)
STRESS_SRCS := $(addprefix $(SRC_DIR)/runtime/,$(STRESS_SHARED)) \
	$(sort $(wildcard $(SRC_DIR)/model/*.c) $(STRESS_MM_SRCS)) \
	$(sort $(wildcard $(SRC_DIR)/stress/*.c))
STRESS_OBJS := $(patsubst $(SRC_DIR)/%.c,$(STRESS_OBJ)/%.o,$(STRESS_SRCS))
STRESS_MM_FILES := $(wildcard $(SRC_DIR)/mm/*.c $(SRC_DIR)/mm/*.h)

STRESS_SECONDS ?= 1

.PHONY: stress stress-check stress-clean

stress: $(STRESS_BIN)

$(STRESS_OBJ)/%.o: $(SRC_DIR)/%.c $(MAKEFILE_LIST)
	@mkdir -p $(@D)
	$(CC) $(STRESS_CFLAGS) -MMD -MP -c $< -o $@

$(STRESS_OBJ)/runtime/codeid.o: $(STRESS_MM_FILES)

$(STRESS_BIN): $(STRESS_OBJS)
	$(CC) $(STRESS_CFLAGS) $^ -o $@ -ldl

-include $(STRESS_OBJS:.o=.d)

# Each check: run for STRESS_SECONDS, then look at the JSON counts.
# $(call stress_expect,SCENARIO,KIND,MIN) fails unless findings of KIND
# fired in at least MIN iterations (MIN 0: fails if any finding at all).
define stress_expect
	@out=$$($(STRESS_BIN) $(1) --seconds $(STRESS_SECONDS) --json); rc=$$?; \
	if [ $$rc -gt 1 ]; then echo "stress-check: $(1): kshim-stress failed ($$rc)" >&2; exit 1; fi; \
	n=$$(printf '%s' "$$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); \
		print(sum(f["iterations"] for f in d["findings"] if "$(2)" in ("", f["kind"])))'); \
	rate=$$(printf '%s' "$$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); \
		print("%d iterations (%.0f/s), %s" % (d["iterations"], d["iterations_per_second"], \
		", ".join("%s in %d (%.1f/s)" % (f["signature"], f["iterations"], f["per_second"]) for f in d["findings"]) or "no finding"))'); \
	if [ $(3) -eq 0 ] && [ "$$n" -ne 0 ]; then \
		echo "stress-check: FAIL $(1): expected no finding: $$rate" >&2; exit 1; fi; \
	if [ $(3) -gt 0 ] && [ "$$n" -lt $(3) ]; then \
		echo "stress-check: FAIL $(1): expected $(2) at least $(3) time(s): $$rate" >&2; exit 1; fi; \
	echo "stress-check: ok $(1): $$rate"
endef

stress-check: $(STRESS_BIN)
	$(call stress_expect,toy-lost-update,accounting,1)
	$(call stress_expect,toy-locked-update,,0)
	$(call stress_expect,toy-abba,deadlock,1)

stress-clean:
	rm -rf $(STRESS_OBJ) $(STRESS_BIN)
