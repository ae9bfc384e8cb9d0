# NoPE variance kernel: one non-recursive Makefile; each concern has its fragment in mk/.
#   make run [NUM=f32|fixed]        the host experiment, default configuration
#   make test                       every test (installs what is missing when it can)
#   make bench                      speed figures (never part of the tests)
# Per-board targets (BOARD=..., EXP="...") live in mk/boards.mk.
.DEFAULT_GOAL := run
SHELL := /bin/bash

NUM ?= f32
ifeq ($(NUM),f32)
  NUM_DEF := NOPE_NUM_F32
  HOST_BIN_NAME := nope
else ifeq ($(NUM),fixed)
  NUM_DEF := NOPE_NUM_FIXED
  HOST_BIN_NAME := nope-fixed
else
  $(error NUM must be f32 or fixed, not '$(NUM)')
endif

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
include $(sort $(wildcard mk/*.mk))

test: deps
	$(Q)tests/scripts/run_all.sh $(TEST_TARGETS)

deps:
	$(Q)tests/scripts/ensure_deps.sh

clean:
	rm -rf $(BUILD)

.PHONY: $(PHONY)
