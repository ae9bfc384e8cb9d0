# The host program: build/host/nope (NUM=f32) and build/host/nope-fixed (NUM=fixed).
HOST_CC ?= gcc
# Speed only: the matmul also gets an AVX2 clone chosen at run time (same operations, same bits).
HOST_OPT ?= -O2 -ftree-vectorize -DNOPE_HOST_CLONES
CORE_SRCS := $(sort $(wildcard core/src/*.c))
HOST_DIR := $(BUILD)/host
HOST_BIN := $(HOST_DIR)/$(HOST_BIN_NAME)
HOST_OBJ_DIR := $(HOST_DIR)/obj-$(NUM)
HOST_OBJS := $(patsubst core/src/%.c,$(HOST_OBJ_DIR)/core/%.o,$(CORE_SRCS)) \
             $(HOST_OBJ_DIR)/ports/app.o $(HOST_OBJ_DIR)/ports/host/port_host.o \
             $(HOST_OBJ_DIR)/ports/host/merge_host.o $(HOST_OBJ_DIR)/ports/host/threads_host.o
HOST_CORE_FLAGS = $(CORE_STD_FLAGS) $(HOST_OPT) -fno-tree-loop-distribute-patterns -D NOPE_NUM=$(NUM_DEF) $(CORE_INC)

$(HOST_OBJ_DIR)/core/%.o: core/src/%.c $(wildcard core/include/nope/*.h core/src/*.h) | deps-note
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CORE_FLAGS) -c $< -o $@

$(HOST_OBJ_DIR)/ports/app.o: ports/app.c ports/app.h ports/port.h $(wildcard core/include/nope/*.h)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CORE_FLAGS) -c $< -o $@

# The port is hosted code: libc is allowed here, and only here.
$(HOST_OBJ_DIR)/ports/host/port_host.o: ports/host/port_host.c ports/port.h ports/app.h ports/host/merge_host.h
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) -std=c11 -O2 -Wall -Wextra -Werror -D NOPE_NUM=$(NUM_DEF) $(CORE_INC) -c $< -o $@
$(HOST_OBJ_DIR)/ports/host/merge_host.o: ports/host/merge_host.c ports/host/merge_host.h ports/app.h \
                                         $(wildcard core/include/nope/*.h)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) -std=c11 -O2 -Wall -Wextra -Werror -D NOPE_NUM=$(NUM_DEF) $(CORE_INC) -c $< -o $@

# Threads (--threads N) are the port's: only it and the link need -pthread, never core/.
$(HOST_OBJ_DIR)/ports/host/threads_host.o: ports/host/threads_host.c ports/port.h core/include/nope/parallel.h \
                                           core/include/nope/config.h
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) -std=c11 -O2 -pthread -Wall -Wextra -Werror -D NOPE_NUM=$(NUM_DEF) $(CORE_INC) -c $< -o $@

$(HOST_BIN): $(HOST_OBJS)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_OBJS) -pthread -o $@

deps-note: ;

host: $(HOST_BIN)

# With BOARD=... set, `make run` is the board's (mk/boards.mk).
ifeq ($(BOARD),)
run: $(HOST_BIN)
	$(Q)$(HOST_BIN)
endif

PHONY += host deps-note
