# NoPE variance kernel: one non-recursive Makefile; each concern has its fragment in mk/.
#   make run [NUM=f32|fixed]        the host experiment, default configuration
#   make test                       every test (installs what is missing when it can)
#   make bench                      speed figures (never part of the tests)
# Per-board targets (BOARD=..., EXP="...") live in mk/boards.mk.
.DEFAULT_GOAL := run
SHELL := /bin/bash

# The numeric modes, named once: every per-mode target and script loops over NUMS, and each
# mode's compile-time name and host program come from these two tables.
NUMS := f32 fixed
export NUMS
num_def_f32 := NOPE_NUM_F32
num_def_fixed := NOPE_NUM_FIXED
host_bin_name_f32 := nope
host_bin_name_fixed := nope-fixed
NUM ?= f32
ifeq ($(filter $(NUM),$(NUMS)),)
  $(error NUM must be one of $(NUMS), not '$(NUM)')
endif
NUM_DEF := $(num_def_$(NUM))
HOST_BIN_NAME := $(host_bin_name_$(NUM))

BUILD ?= build
Q := $(if $(V),,@)

# Flags every build of core/ shares, on every target: these keep the arithmetic IEEE-exact
# and identical everywhere (no FMA contraction, no fast-math, no libm).
CORE_STD_FLAGS := -std=c11 -ffreestanding -fno-builtin -ffp-contract=off -fno-fast-math \
                  -Wall -Wextra -Wundef -Wshadow -Wstrict-prototypes -Werror
CORE_INC := -Icore/include -Iports

# Fragments add their test targets to TEST_TARGETS and their phony names to PHONY.
TEST_TARGETS :=
PHONY := run test bench clean deps
# Read in this order, not alphabetically: make expands a rule's prerequisites when it reads the
# rule, so host.mk (HOST_BIN, HOST_DIR, CORE_SRCS) must come before every fragment that uses them.
MK_FRAGMENTS := host fixed test tools fuzz boards bench trained
ifneq ($(sort $(wildcard mk/*.mk)),$(sort $(patsubst %,mk/%.mk,$(MK_FRAGMENTS))))
  $(error mk/ holds $(sort $(wildcard mk/*.mk)) but MK_FRAGMENTS names $(MK_FRAGMENTS): list every fragment once)
endif
include $(patsubst %,mk/%.mk,$(MK_FRAGMENTS))

test: deps
	$(Q)tests/scripts/run_all.sh $(TEST_TARGETS)

deps:
	$(Q)tests/scripts/ensure_deps.sh

clean:
	rm -rf $(BUILD)

.PHONY: $(PHONY)
