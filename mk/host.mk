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

# The trainer (issue #10, docs/training.md): build/host/nope-train, float32 only. Its portable parts
# (flags, text windows, model bytes) build like the core; its host parts (main, loop, files) are
# hosted code like the port.
TRAIN_BIN := $(HOST_DIR)/nope-train
ifeq ($(NUM),f32)
TRAIN_PORT_OBJS := $(patsubst %,$(HOST_OBJ_DIR)/ports/%.o,train_flags train_text train_model)
TRAIN_HOST_OBJS := $(patsubst %,$(HOST_OBJ_DIR)/ports/host/%.o,train_main train_loop text_file atomic_file)
TRAIN_HEADERS := $(wildcard ports/train_*.h ports/host/train_*.h ports/host/text_file.h ports/host/atomic_file.h \
                            ports/port.h core/include/nope/*.h)
$(TRAIN_PORT_OBJS): $(HOST_OBJ_DIR)/ports/%.o: ports/%.c $(TRAIN_HEADERS)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CORE_FLAGS) -c $< -o $@
$(TRAIN_HOST_OBJS): $(HOST_OBJ_DIR)/ports/host/%.o: ports/host/%.c $(TRAIN_HEADERS)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) -std=c11 -O2 -ffp-contract=off -Wall -Wextra -Werror -D NOPE_NUM=$(NUM_DEF) $(CORE_INC) -c $< -o $@
$(TRAIN_BIN): $(filter $(HOST_OBJ_DIR)/core/%,$(HOST_OBJS)) $(TRAIN_PORT_OBJS) $(TRAIN_HOST_OBJS) \
              $(HOST_OBJ_DIR)/ports/host/threads_host.o
	$(Q)$(HOST_CC) $^ -pthread -o $@
host: $(TRAIN_BIN)
ifeq ($(BOARD),)
run: $(TRAIN_BIN)
endif
else
$(TRAIN_BIN): FORCE
	$(Q)$(MAKE) --no-print-directory NUM=f32 $(TRAIN_BIN)
endif
