# Tools around the host program (tools/, python3 + numpy + matplotlib).
#   make figure [NUM=f32|fixed]     default experiment -> build/figures/variance{,-fixed}.{png,svg}
#   make paper [TRIALS=20] [JOBS=N]   the paper's scale (d=768 H=12 L=12 ffn=3072 seq=512
#                                   gelu): prints the expected time, then build/paper/report.csv +
#                                   figure, and the run's wall time
#   make sweep [JOBS=N]             layer-1 slope vs weight sigma, and layer 1 against both theories
#                                   -> build/sweep/slope-vs-sigma.{png,svg}
#   JOBS: shards run at once by GNU parallel (tools/shard-run), default all cores; the merged
#   report is the same bytes whatever JOBS is. JOBS=1 is one plain process (no GNU parallel).
#   make check-reference            the C program against the NumPy reference (z-scores, |z| <= 5)
#   make check-reference-selftest   the same with a defect planted in the reference: must fail
#   make test-tools                 quick tests of the tools (< 60 s, no C program needed)
TOOLS_BIN := $(BUILD)/host/$(HOST_BIN_NAME)
# f32 files keep the plain names; the fixed-point twin's get a -fixed suffix next to them
TOOLS_SUFFIX := $(if $(filter fixed,$(NUM)),-fixed,)

TEST_TARGETS += test-tools check-reference
PHONY += figure paper sweep check-reference check-reference-selftest test-tools

# ---- figure: the default configuration ----
FIGURE_DIR := $(BUILD)/figures
FIGURE_REPORT := $(FIGURE_DIR)/variance$(TOOLS_SUFFIX).csv

figure: $(FIGURE_DIR)/variance$(TOOLS_SUFFIX).png

$(FIGURE_REPORT): $(TOOLS_BIN)
	@mkdir -p $(@D)
	$(Q)$(TOOLS_BIN) > $@.tmp && mv $@.tmp $@

$(FIGURE_DIR)/variance$(TOOLS_SUFFIX).png: $(FIGURE_REPORT) tools/plot tools/nopereport.py
	$(Q)tools/plot $< -o $(basename $@)

# ---- sharded runs (issue #12): the trials cut into shards, JOBS of them at once, then merged ----
JOBS ?= $(shell nproc)
# $(1) flags, $(2) report, $(3) more options of tools/shard-run: the report is written whole or not
# at all. The parts stay in $(2) less .csv, plus .parts, until the merge: a run stopped half way,
# made again, runs only the missing shards; a finished one, made again, runs afresh.
run_report = $(if $(filter 1,$(JOBS)),$(TOOLS_BIN) $(1) > $(2).tmp && mv $(2).tmp $(2),\
  tools/shard-run --bin $(TOOLS_BIN) --jobs $(JOBS) $(3) --replace-stale --outdir $(basename $(2)).parts \
  -o $(2) -- $(1) && rm -rf $(basename $(2)).parts)

# ---- paper: the paper's own scale; about 6 s per trial on one core of a 2020s x86 ----
# TRIALS=N is the short name (PAPER_TRIALS=N works too).
PAPER_TRIALS ?= $(or $(TRIALS),20)
PAPER_FLAGS := --d 768 --heads 12 --layers 12 --ffn 3072 --seq 512 --act gelu
PAPER_DIR := $(BUILD)/paper
PAPER_REPORT := $(PAPER_DIR)/report$(TOOLS_SUFFIX).csv
# Ten shards a job, one trial each at the least: a trial here takes seconds, so the progress bar
# moves every few trials, and a core that ends early takes up another shard.
PAPER_SHARDS = $(shell echo $$(( $(PAPER_TRIALS) < 10 * $(JOBS) ? $(PAPER_TRIALS) : 10 * $(JOBS) )))

paper: $(TOOLS_BIN)
	@mkdir -p $(PAPER_DIR)
	$(Q)t0=$$(date +%s.%N); \
	$(TOOLS_BIN) $(PAPER_FLAGS) --trials 2 --seed 2 > $(PAPER_DIR)/timing.csv 2>/dev/null || exit 1; \
	t1=$$(date +%s.%N); \
	awk -v a=$$t0 -v b=$$t1 -v n=$(PAPER_TRIALS) -v j=$(JOBS) 'BEGIN { s = (b - a) / 2; \
	  m = s * n / (j < n ? j : n) / 60; u = m * 1.25 + 0.5; \
	  printf "paper: %.1f s per trial (measured on 2 trials); expected: about %s minutes for %d trials on %d job(s), under %s minutes with the figure\n", \
	         s, (m < 10 ? sprintf("%.1f", m) : sprintf("%.0f", m)), n, j, (u < 10 ? sprintf("%.1f", u) : sprintf("%.0f", u)) }'
	$(Q)t0=$$(date +%s.%N); \
	$(call run_report,$(PAPER_FLAGS) --trials $(PAPER_TRIALS),$(PAPER_REPORT),--shards $(PAPER_SHARDS)) || exit 1; \
	t1=$$(date +%s.%N); \
	awk -v a=$$t0 -v b=$$t1 -v n=$(PAPER_TRIALS) -v j=$(JOBS) \
	  'BEGIN { printf "paper: %d trials in %.1f s wall time, JOBS=%d\n", n, b - a, j }'
	$(Q)tools/plot $(PAPER_REPORT) -o $(PAPER_DIR)/variance$(TOOLS_SUFFIX)
	$(Q)grep -E '^# (slope|ratio)' $(PAPER_REPORT)

# ---- sweep: vary the weight sigma (sigma_in stays 0.02: LayerNorm removes the input scale,
# so only the weights set how peaked the attention is) ----
SWEEP_SIGMAS := 0.02 0.05 0.1 0.2 0.3
SWEEP_TRIALS ?= 1000
SWEEP_FLAGS := --d 64 --heads 4 --layers 4 --ffn 256 --seq 64 --trials $(SWEEP_TRIALS)
SWEEP_DIR := $(BUILD)/sweep
SWEEP_REPORTS := $(foreach s,$(SWEEP_SIGMAS),$(SWEEP_DIR)/sigma-$(s)$(TOOLS_SUFFIX).csv)

sweep: $(SWEEP_DIR)/slope-vs-sigma$(TOOLS_SUFFIX).png

$(SWEEP_DIR)/sigma-%$(TOOLS_SUFFIX).csv: $(TOOLS_BIN)
	@mkdir -p $(@D)
	$(Q)$(call run_report,$(SWEEP_FLAGS) --sigma $*,$@)
	$(Q)echo "sweep: sigma=$* $$(grep '^# slope layer=1 ' $@)"
	$(Q)echo "sweep: sigma=$* $$(grep -E '^# (ratio|theory2) ' $@ | tr '\n' ' ')"

$(SWEEP_DIR)/slope-vs-sigma$(TOOLS_SUFFIX).png: $(SWEEP_REPORTS) tools/plot tools/nopereport.py
	$(Q)tools/plot --sweep -o $(basename $@) $(SWEEP_REPORTS)

# ---- the C program against the independent reference ----
CHECK_REF_TRIALS ?= 8000
CHECK_REF := tools/check-reference --bin $(TOOLS_BIN) --trials $(CHECK_REF_TRIALS) \
             --outdir $(BUILD)/check-reference$(TOOLS_SUFFIX)

check-reference: $(TOOLS_BIN)
	$(Q)$(CHECK_REF)

# Each planted defect must make the comparison fail (exit 1; 0 or 2 is a selftest failure).
check-reference-selftest: $(TOOLS_BIN)
	$(Q)ok=1; for plant in no-scale peek-next; do \
	  $(CHECK_REF) --plant $$plant; rc=$$?; \
	  if [ $$rc -eq 1 ]; then echo "selftest: plant $$plant detected (check-reference failed, as it must)"; \
	  else echo "selftest: plant $$plant NOT detected (check-reference exit $$rc)"; ok=0; fi; \
	done; [ $$ok -eq 1 ] && echo "check-reference-selftest: ok: both planted defects detected"

test-tools:
	$(Q)BUILD=$(BUILD) tests/tools/run.sh
