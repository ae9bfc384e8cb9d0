# Speed and size figures. Never part of make test: tests do not assert times.
BENCH_DEFAULT_TRIALS ?= 200
BENCH_PAPER_TRIALS ?= 1
bench: $(HOST_BIN)
	$(Q)tools/bench $(HOST_BIN) $(BENCH_DEFAULT_TRIALS) $(BENCH_PAPER_TRIALS)
PHONY += bench

# The C trial beside PyTorch+OpenBLAS doing the same trial (installed from Debian on demand), at 1
# and 2 threads, the default ("tiny") and the paper's scale: seconds per trial and their ratio.
bench-compare: $(HOST_BIN)
	$(Q)tools/bench-compare --bin $(HOST_BIN)
PHONY += bench-compare
