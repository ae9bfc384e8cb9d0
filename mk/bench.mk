# Speed and size figures. Never part of make test: tests do not assert times.
BENCH_DEFAULT_TRIALS ?= 200
BENCH_PAPER_TRIALS ?= 1
bench: $(HOST_BIN)
	$(Q)tools/bench $(HOST_BIN) $(BENCH_DEFAULT_TRIALS) $(BENCH_PAPER_TRIALS)
PHONY += bench
