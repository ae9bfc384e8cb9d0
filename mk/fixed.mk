# The fixed-point mode's own checks (issue #3):
#   test-fixed-integer-only  core/ for NUM=fixed has no floating point (x86-64 general registers
#                            only; ARM Cortex-M0/M4 soft-float objects reference no FP helper)
#   test-fixed-vs-float      fixed and float32 reports for the same seeds agree within README's
#                            stated bound on every variance (34 configurations), under 2 minutes
#   test-fixed-saturation    --sigma 2 saturates, is counted, and runs clean under ASan+UBSan
FIXED_VS_FLOAT_TRIALS ?= 2000

ifneq ($(NUM),fixed)
$(HOST_DIR)/nope-fixed: FORCE
	$(Q)$(MAKE) --no-print-directory NUM=fixed $(HOST_DIR)/nope-fixed
endif

test-fixed-integer-only:
	$(Q)tests/scripts/fixed_integer_only.sh
test-fixed-vs-float: $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed
	$(Q)tests/scripts/fixed_vs_float.sh $(HOST_DIR)/nope $(HOST_DIR)/nope-fixed $(FIXED_VS_FLOAT_TRIALS)
test-fixed-saturation:
	$(Q)tests/scripts/fixed_saturation.sh

TEST_TARGETS += test-fixed-integer-only test-fixed-vs-float test-fixed-saturation
PHONY += test-fixed-integer-only test-fixed-vs-float test-fixed-saturation
