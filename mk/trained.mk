# Trained models (issue #10, sections 3 and 4):
#   make trained [TRAIN_FLAGS=...] [TRAINED_OUT=build/trained] [TRAINED_TRIALS=1000]
#        trains the default model into $(TRAINED_OUT)/model.nope when there is none (TRAINED_RECIPE
#        in mk/bench.mk, about 16 minutes on 2 cores; TRAIN_FLAGS adds nope-train flags after it,
#        e.g. "--d 32 --layers 2 --steps 50" for a seconds-long try in another TRAINED_OUT), then
#        tools/trained-experiment: the model and a random-init model of its shape on the same
#        held-out windows -> variance.{png,svg}, the two reports and summary.txt (held-out bits
#        per byte, per-layer slopes) in $(TRAINED_OUT)
#   make check-torch     the C reports against PyTorch (tools/torch-check) and the state_dict
#                        bridge (tests/scripts/torch_check.sh; 45-70 s on a 2-core machine, so part
#                        of make test: the issue's bound is two minutes)
TRAIN_FLAGS ?=
TRAINED_OUT ?= $(TRAINED_DIR)
TRAINED_TRIALS ?= 1000
TRAINED_SIGMA ?= 0.02
TRAINED_HELDOUT := $(TRAINED_DIR)/fortunes-heldout.txt

# Made only when missing (order-only: a rebuilt nope-train does not retrain an existing model).
$(TRAINED_OUT)/model.nope: | $(TRAIN_BIN) $(TRAINED_DIR)/fortunes.txt
	@mkdir -p $(@D)
	$(Q)$(TRAIN_BIN) --text $(TRAINED_DIR)/fortunes.txt --out $@ --held-out $(TRAINED_HELDOUT) $(TRAINED_RECIPE) $(TRAIN_FLAGS)

trained: $(TRAINED_OUT)/model.nope $(HOST_DIR)/nope
	$(Q)tools/trained-experiment --nope $(HOST_DIR)/nope --model $(TRAINED_OUT)/model.nope --text $(TRAINED_HELDOUT) \
	    --out $(TRAINED_OUT) --trials $(TRAINED_TRIALS) --sigma $(TRAINED_SIGMA)

check-torch: $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
	$(Q)tests/scripts/torch_check.sh $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
PHONY += trained check-torch
TEST_TARGETS += check-torch
