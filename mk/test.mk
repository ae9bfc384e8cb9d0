# Host tests. CMocka unit tests live in tests/unit/test_*.c, one per room of core/:
#   test_<room>.c        built and run in both numeric modes
#   test_f32_<room>.c    float32 mode only
#   test_fixed_<room>.c  fixed-point mode only
# Each is linked with the whole core of its mode (plain build, then ASan+UBSan build).
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_COMMON := $(filter-out tests/unit/test_f32_% tests/unit/test_fixed_%,$(UNIT_SRCS))
unit_srcs_for = $(UNIT_COMMON) $(filter tests/unit/test_$(1)_%,$(UNIT_SRCS))

TEST_CC ?= gcc
TEST_DIR := $(BUILD)/test
UNIT_CFLAGS = -std=c11 -ffp-contract=off -Wall -Wextra -Wundef -Werror -Icore/include -Iports -Itests/unit
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# $(1) mode, $(2) variant name, $(3) flags
define unit_variant
$(TEST_DIR)/$(1)-$(2)/core/%.o: core/src/%.c $(wildcard core/include/nope/*.h core/src/*.h)
	@mkdir -p $$(@D)
	$$(Q)$$(TEST_CC) $$(CORE_STD_FLAGS) -fno-tree-loop-distribute-patterns $(3) -D NOPE_NUM=$(num_def_$(1)) $$(CORE_INC) -c $$< -o $$@
$(TEST_DIR)/$(1)-$(2)/%: tests/unit/%.c $(TEST_DIR)/$(1)-$(2)/libcore.a tests/unit/test_util.h
	@mkdir -p $$(@D)
	$$(Q)$$(TEST_CC) $$(UNIT_CFLAGS) $(3) -D NOPE_NUM=$(num_def_$(1)) $$< $(TEST_DIR)/$(1)-$(2)/libcore.a -lcmocka -lm -o $$@
$(TEST_DIR)/$(1)-$(2)/libcore.a: $(patsubst core/src/%.c,$(TEST_DIR)/$(1)-$(2)/core/%.o,$(CORE_SRCS))
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
UNIT_BINS_$(1)_$(2) := $$(patsubst tests/unit/%.c,$(TEST_DIR)/$(1)-$(2)/%,$$(call unit_srcs_for,$(1)))
endef
$(foreach m,$(NUMS),$(eval $(call unit_variant,$(m),plain,-O2 -g)))
$(foreach m,$(NUMS),$(eval $(call unit_variant,$(m),san,-O1 -g $(SAN_FLAGS))))

test-unit: $(foreach m,$(NUMS),$(UNIT_BINS_$(m)_plain))
	$(Q)tests/scripts/run_unit.sh $^
test-unit-sanitizers: $(foreach m,$(NUMS),$(UNIT_BINS_$(m)_san))
	$(Q)NOPE_TEST_QUICK=1 tests/scripts/run_unit.sh $^

test-cli: $(HOST_DIR)/nope
	$(Q)tests/scripts/cli_errors.sh $(HOST_DIR)/nope
test-output: $(HOST_DIR)/nope
	$(Q)tests/scripts/host_output.sh $(HOST_DIR)/nope
test-determinism: $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
	$(Q)tests/scripts/determinism.sh $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
test-freestanding:
	$(Q)tests/scripts/freestanding.sh
test-make-order:
	$(Q)tests/scripts/make_order.sh
test-format:
	$(Q)tests/scripts/format.sh
test-acceptance: $(HOST_DIR)/nope
	$(Q)tests/scripts/acceptance_f32.sh $(HOST_DIR)/nope
test-theory2: $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
	$(Q)tests/scripts/theory2.sh $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
# Shards merged in any order = one run, both modes; bad parts refused (issue #12).
test-shard: $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
	$(Q)tests/scripts/shard_merge.sh

# The model file (issue #10): its unit tests in both modes, then the core's reader and writer against
# tools/nope-model, written apart from docs/model-format.md (Python writes, C reads, and back).
$(TEST_DIR)/model_file_bridge: tests/tools/model_file_bridge.c $(TEST_DIR)/f32-plain/libcore.a
	$(Q)$(TEST_CC) $(UNIT_CFLAGS) -O2 -D NOPE_NUM=NOPE_NUM_F32 $< $(TEST_DIR)/f32-plain/libcore.a -o $@
test-model-file: $(TEST_DIR)/f32-plain/test_model_file $(TEST_DIR)/fixed-plain/test_model_file $(TEST_DIR)/model_file_bridge
	$(Q)tests/scripts/run_unit.sh $(TEST_DIR)/f32-plain/test_model_file $(TEST_DIR)/fixed-plain/test_model_file
	$(Q)BUILD=$(BUILD) tests/scripts/model_file_cross.sh $(TEST_DIR)/model_file_bridge

ifneq ($(NUM),f32)
$(HOST_DIR)/nope: FORCE
	$(Q)$(MAKE) --no-print-directory NUM=f32 $(HOST_DIR)/nope
endif
FORCE:

TEST_TARGETS += test-unit test-unit-sanitizers test-cli test-output test-determinism test-freestanding test-acceptance test-theory2 test-make-order test-format test-shard test-model-file
PHONY += FORCE test-unit test-unit-sanitizers test-cli test-output test-determinism test-freestanding test-acceptance test-theory2 test-make-order test-format test-shard test-model-file

# The experiment on a trained model (issue #10): both modes against a double-precision evaluation,
# --threads, and the bad inputs (tests/scripts/trained.sh).
test-trained: $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
	$(Q)tests/scripts/trained.sh $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
TEST_TARGETS += test-trained
PHONY += test-trained

# tools/shard-run (issue #12): 1, 2, 3 and 7 shards through GNU parallel, merged, equal one run in
# both modes; a deleted or killed shard is rerun alone.
test-shard-parallel: $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
	$(Q)tests/scripts/shard_parallel.sh $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
TEST_TARGETS += test-shard-parallel
PHONY += test-shard-parallel

# Shards as a Slurm job array and a merge job, on a real one-node Slurm (munged, slurmctld,
# slurmd) that the script brings up and stops itself (issue #12). Not in TEST_TARGETS yet.
test-slurm: $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
	$(Q)tests/scripts/slurm.sh $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
TEST_TARGETS += test-slurm
PHONY += test-slurm

# The training math (core/src/train_*.c, issue #10): the same gradient and parameter bits from gcc
# and clang, -O0 to -O3, with the host's vector kernels and on 1 or 2 threads.
# Then the program's: build/host/nope-train rebuilt by gcc -O0, -O2 and clang -O2 writes the same model.
test-train-bits: $(TRAIN_BIN)
	$(Q)tests/scripts/train_bits.sh
	$(Q)tests/scripts/train_program_bits.sh $(TRAIN_BIN)
TEST_TARGETS += test-train-bits
PHONY += test-train-bits

# The trainer program (issue #10): a tiny model beats the unigram entropy in seconds, the same bytes
# twice and at any --threads, bad input refused (exit 2, no file), a killed run leaves no half model.
test-train: $(TRAIN_BIN) $(HOST_DIR)/nope
	$(Q)tests/scripts/train_program.sh $(TRAIN_BIN) $(HOST_DIR)/nope
TEST_TARGETS += test-train
PHONY += test-train
