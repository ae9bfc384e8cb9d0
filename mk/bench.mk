# Speed and size figures. Never part of make test: tests do not assert times.
#   make bench                                   seconds per trial of the host program
#   make bench BOARD=<b> [NUM=f32|fixed] [EXP=...]
#        instructions per trial and per kernel under QEMU -icount (tools/bench-board): the same
#        figures every run. Without EXP, the board's BOARD_EXP with 2 trials.
BENCH_DEFAULT_TRIALS ?= 200
BENCH_PAPER_TRIALS ?= 1
ifeq ($(BOARD),)
bench: $(HOST_BIN)
	$(Q)tools/bench $(HOST_BIN) $(BENCH_DEFAULT_TRIALS) $(BENCH_PAPER_TRIALS)
else
# The normal image (the real total) and the profile image (PROFILE=1, its own directory), built
# with the same EXP; the profile build is a second make so that its flags and objects stay apart.
BENCH_EXP := $(strip $(if $(filter given,$(B_EXP_FROM)),$(EXP),$(shell printf '%s\n' '$(BOARD_EXP)' | sed -E 's/--trials +[0-9]+//g') --trials 2))
bench:
	$(Q)$(MAKE) --no-print-directory BOARD=$(BOARD) NUM=$(NUM) EXP='$(subst ','\'',$(BENCH_EXP))' board-build
	$(Q)$(MAKE) --no-print-directory BOARD=$(BOARD) NUM=$(NUM) EXP='$(subst ','\'',$(BENCH_EXP))' PROFILE=1 board-build
	$(Q)tools/bench-board --machine $(BOARD_QEMU_MACHINE) --label '$(BOARD) $(NUM)' \
	    --exp '$(subst ','\'',$(BENCH_EXP))' $(B_ELF) $(B_ELF:$(B_DIR)/%=$(B_DIR)-prof/%)
endif
PHONY += bench

# The C trial beside PyTorch+OpenBLAS doing the same trial (installed from Debian on demand), at 1
# and 2 threads, the default ("tiny") and the paper's scale: seconds per trial and their ratio.
bench-compare: $(HOST_BIN)
	$(Q)tools/bench-compare --bin $(HOST_BIN)
PHONY += bench-compare

# The trainer on its real corpus (issue #10): the default shape on Debian's fortunes, steps/s and
# held-out bits per byte over time (the goal: <= 2.6 within 20 minutes on 2 cores); the model in
# build/trained/bench.nope, the held-out tenth in fortunes-heldout.txt (nope --model --text). About 16
# minutes; BENCH_TRAIN_FLAGS adds nope-train flags after TRAINED_RECIPE's (--steps 8000, --threads 1,
# the micro:bit shape --d 32 --layers 2 --ffn 128 --seq 32 ...; the last of a flag given twice wins).
BENCH_TRAIN_FLAGS ?=
TRAINED_DIR := $(BUILD)/trained
# The recipe of the project's trained model, for bench-train and make trained (mk/trained.mk) alike:
# nope-train's defaults (PyTorch's recipe in issue #10) run for 6000 steps, not 5000. At 5000 the
# cosine schedule ends at 2.606 held-out bits per byte (PyTorch: 2.60), just short of the 2.6 goal;
# 6000 steps take about 16 minutes on 2 cores, within the goal's 20 with room for a busy machine.
TRAINED_RECIPE := --steps 6000
# The corpus: fortunes and fortunes-min's text files, sorted by name, concatenated as they are
# (tools/fortunes-text says which and why); installed with apt-get when missing and possible.
$(TRAINED_DIR)/fortunes.txt: tools/fortunes-text
	$(Q)tools/fortunes-text $@
bench-train: $(TRAIN_BIN) $(TRAINED_DIR)/fortunes.txt
	$(Q)tools/bench-train $(TRAIN_BIN) $(TRAINED_DIR)/fortunes.txt $(TRAINED_DIR)/bench.nope \
	    --held-out $(TRAINED_DIR)/fortunes-heldout.txt $(TRAINED_RECIPE) $(BENCH_TRAIN_FLAGS)
PHONY += bench-train
