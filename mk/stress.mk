# SPDX-License-Identifier: GPL-2.0-only
#
# The pthread stress baseline: the same kernel and model C,
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
STRESS_SHARED := world.c registry.c report.c run.c held.c codeid.c sha256.c
STRESS_MM_SRCS ?= $(wildcard $(SRC_DIR)/mm/*.c)
STRESS_SRCS := $(addprefix $(SRC_DIR)/runtime/,$(STRESS_SHARED)) \
	$(sort $(wildcard $(SRC_DIR)/model/*.c) $(STRESS_MM_SRCS)) \
	$(sort $(wildcard $(SRC_DIR)/stress/*.c))
STRESS_OBJS := $(patsubst $(SRC_DIR)/%.c,$(STRESS_OBJ)/%.o,$(STRESS_SRCS))
STRESS_MM_FILES := $(shell find $(SRC_DIR) -type f 2>/dev/null)

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

# Each check runs kshim-stress for STRESS_SECONDS and reads its JSON (no
# tools beyond grep/sed/awk).  $(call stress_expect,SCENARIO,KIND,MIN)
# fails unless findings of KIND fired in at least MIN iterations; with
# MIN 0 it fails on any finding at all.
STRESS_SIG_RE := "signature":"[^"]*","kind":"[^"]*","location":"[^"]*","iterations":[0-9]*,"per_second":[0-9.]*

define stress_expect
	@out=$$($(STRESS_BIN) $(1) --seconds $(STRESS_SECONDS) --json); rc=$$?; \
	if [ $$rc -gt 1 ]; then echo "stress-check: FAIL $(1): kshim-stress exited with $$rc" >&2; exit 1; fi; \
	sigs=$$(printf '%s' "$$out" | grep -o '$(STRESS_SIG_RE)'); \
	n=$$(printf '%s\n' "$$sigs" | grep '"kind":"$(or $(2),[^"]*)"' | \
		sed 's/.*"iterations":\([0-9]*\).*/\1/' | awk '{ s += $$1 } END { print s + 0 }'); \
	its=$$(printf '%s' "$$out" | sed 's/.*"iterations":\([0-9]*\),"iterations_per_second":\([0-9.]*\).*/\1 iterations (\2\/s)/'); \
	found=$$(printf '%s\n' "$$sigs" | sed -n 's/"signature":"\([^"]*\)".*"iterations":\([0-9]*\),"per_second":\([0-9.]*\)/\1 in \2 (\3\/s)/p' | paste -sd ';' -); \
	summary="$$its: $${found:-no finding}"; \
	if [ $(3) -eq 0 ] && [ "$$n" -ne 0 ]; then \
		echo "stress-check: FAIL $(1): expected no finding: $$summary" >&2; exit 1; fi; \
	if [ $(3) -gt 0 ] && [ "$$n" -lt $(3) ]; then \
		echo "stress-check: FAIL $(1): expected $(2) in at least $(3) iteration(s): $$summary" >&2; exit 1; fi; \
	echo "stress-check: ok $(1): $$summary"
endef

stress-check: $(STRESS_BIN)
	$(call stress_expect,toy-lost-update,accounting,1)
	$(call stress_expect,toy-locked-update,,0)
	$(call stress_expect,toy-abba,deadlock,1)

stress-clean:
	rm -rf $(STRESS_OBJ) $(STRESS_BIN)
