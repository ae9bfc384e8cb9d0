# Fuzzing the numeric kernels and the parsers (issue #5). Harnesses: tests/fuzz/fuzz_*.c
#   fuzz_<name>.c        mode-independent (decimal, format, CLI, Gaussian sampler, f64 math):
#                        built once, against the float32 core
#   fuzz_f32_<name>.c    float32 mode only;  fuzz_fixed_<name>.c  fixed-point mode only
# Each checks its kernel against a double/long-double reference with the bound the kernel's
# header (or its unit test) states, and aborts with the input on any violation.
#   make fuzz [FUZZ_SECONDS=60]     every harness for N s: execs, cov, ft, findings per harness
#   make test-fuzz-smoke            every harness for FUZZ_SMOKE_SECONDS (part of make test)
#   make fuzz-selftest              each harness against a core with a planted bug: caught?
#   make fuzz-afl                   the same harnesses under AFL++; one runs for FUZZ_AFL_SECONDS
#   make fuzz-build                 just build the libFuzzer binaries
FUZZ_CC ?= clang
FUZZ_AFL_CC ?= afl-clang-fast
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 4
FUZZ_JOBS ?= 2
FUZZ_SELFTEST_SECONDS ?= 60
FUZZ_AFL_SECONDS ?= 30
FUZZ_AFL_TARGET ?= dec_parse
FUZZ_DIR := $(BUILD)/fuzz

FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The core as freestanding as on a board (no builtins, no FMA), instrumented for coverage.
FUZZ_CORE_FLAGS := -std=c11 -ffreestanding -fno-builtin -ffp-contract=off -fno-fast-math -O1 -g \
                   -Wall -Wextra -Wundef $(CORE_INC)
# The harnesses are hosted C: libm and long double references.
FUZZ_HARNESS_FLAGS := -std=c11 -O1 -g -ffp-contract=off -Wall -Wextra -Wundef -Werror \
                      $(CORE_INC) -Itests/fuzz

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_COMMON := $(filter-out tests/fuzz/fuzz_f32_% tests/fuzz/fuzz_fixed_%,$(FUZZ_SRCS))
# Every mode always (NUMS, from the Makefile): a mode whose harnesses do not build fails the target.
fuzz_srcs_for = $(if $(filter f32,$(1)),$(FUZZ_COMMON)) $(filter tests/fuzz/fuzz_$(1)_%,$(FUZZ_SRCS))

# $(1) mode, $(2) variant (lf = libFuzzer, afl = AFL++), $(3) compiler, $(4) instrumentation
# of the core, $(5) link flags for the harness
define fuzz_variant
$(FUZZ_DIR)/$(2)-$(1)/core/%.o: core/src/%.c $(wildcard core/include/nope/*.h core/src/*.h)
	@mkdir -p $$(@D)
	$$(Q)$(3) $$(FUZZ_CORE_FLAGS) $(4) -D NOPE_NUM=$(num_def_$(1)) -c $$< -o $$@
$(FUZZ_DIR)/$(2)-$(1)/libcore.a: $(patsubst core/src/%.c,$(FUZZ_DIR)/$(2)-$(1)/core/%.o,$(CORE_SRCS))
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(FUZZ_DIR)/$(2)-$(1)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/$(2)-$(1)/libcore.a $(wildcard tests/fuzz/*.h)
	@mkdir -p $$(@D)
	$$(Q)$(3) $$(FUZZ_HARNESS_FLAGS) -D NOPE_NUM=$(num_def_$(1)) $(5) $$< $(FUZZ_DIR)/$(2)-$(1)/libcore.a -lm -o $$@
FUZZ_BINS_$(2)_$(1) := $$(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/$(2)-$(1)/%,$$(call fuzz_srcs_for,$(1)))
endef
$(foreach m,$(NUMS),$(eval $(call fuzz_variant,$(m),lf,$(FUZZ_CC),-fsanitize=fuzzer-no-link $(FUZZ_SAN),-fsanitize=fuzzer $(FUZZ_SAN))))
$(foreach m,$(NUMS),$(eval $(call fuzz_variant,$(m),afl,AFL_QUIET=1 $(FUZZ_AFL_CC),-fsanitize=undefined -fno-sanitize-recover=all,-fsanitize=undefined -fno-sanitize-recover=all /usr/lib/afl/libAFLDriver.a)))

FUZZ_LF_BINS := $(foreach m,$(NUMS),$(FUZZ_BINS_lf_$(m)))
FUZZ_AFL_BINS := $(foreach m,$(NUMS),$(FUZZ_BINS_afl_$(m)))

# The scripts read these.
export FUZZ_CC FUZZ_SAN FUZZ_CORE_FLAGS FUZZ_HARNESS_FLAGS FUZZ_DIR FUZZ_JOBS

fuzz-build: $(FUZZ_LF_BINS)

fuzz: $(FUZZ_LF_BINS)
	$(Q)tests/fuzz/run_fuzz.sh $(FUZZ_SECONDS) $(FUZZ_LF_BINS)

test-fuzz-smoke: $(FUZZ_LF_BINS)
	$(Q)tests/fuzz/run_fuzz.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_LF_BINS)

fuzz-selftest:
	$(Q)tests/fuzz/selftest.sh $(FUZZ_SELFTEST_SECONDS) $(NUMS)

fuzz-afl: $(FUZZ_AFL_BINS)
	$(Q)tests/fuzz/run_afl.sh $(FUZZ_AFL_SECONDS) $(FUZZ_DIR)/afl-f32/fuzz_$(FUZZ_AFL_TARGET)

TEST_TARGETS += test-fuzz-smoke
PHONY += fuzz fuzz-build fuzz-selftest fuzz-afl test-fuzz-smoke
