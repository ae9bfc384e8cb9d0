# Cortex-M boards under QEMU (ports/cortex-m/, boards/<board>/).
#   make BOARD=<board> [NUM=f32|fixed] [EXP="--trials 50 --seed 9"] run
#        builds build/<board>-<num>/nope.elf with the flags in EXP compiled in, runs it under
#        QEMU (tools/qemu-run): the report on stdout, diagnostics on stderr as they come, non-zero
#        exit status on a fault (70), a stack overflow (71), a timeout (124) or a program error.
#        Without EXP, the board's BOARD_EXP (boards/<board>/board.mk): the host's default
#        configuration, or the board's, with a few trials, so that it ends well within a minute.
#   make BOARD=<board> MODEL=FILE TEXT=FILE [TEXT_BYTES=N] [EXP=...] run
#        a trained model (docs/model-format.md) and the first TEXT_BYTES (16384) bytes of TEXT
#        linked into flash as const data: the image runs `nope EXP --model FILE --text SLICE`,
#        SLICE being build/<board>-<num>-model/text-slice.txt, the bytes it linked, and prints the
#        host's report for the same model, slice and flags. Without EXP, BOARD_TRAINED_EXP.
#   make BOARD=<board> board-build                only build the image
#   make BOARD=<board> OUT=uart run           bytes through the board UART instead of semihosting
#   make BOARD=<board> FAULT_TEST=1 run       undefined instruction before the experiment
#                                             (FAULT_TEST=2: a load from an unmapped address)
#   make size                                 flash, RAM and measured stack of every board image
#   make test-boards                          every board x {f32, fixed} against the host program
#   make test-boards-trained                  a trained-model image on QEMU boards x {f32, fixed}
#                                             against the host program, and the build's refusals
#   make test-kernels-arm                     the Cortex-M matmul tiles against plain C, every board x mode
#   make bench BOARD=<b> [NUM=...] [EXP=...]  instructions per trial and per kernel (mk/bench.mk)
#   make test-board-default                   `make BOARD=... run` without EXP ends, and shows
#                                             progress while it runs
BOARDS := qemu-microbit qemu-mps2-an385 qemu-mps2-an386 qemu-mps2-an500 qemu-mps2-an505 qemu-netduinoplus2
CROSS ?= arm-none-eabi-
QEMU_TIMEOUT ?= 120

TEST_TARGETS += test-boards test-board-default test-board-shards test-kernels-arm test-boards-trained
PHONY += test-boards-trained
# A small model linked into the QEMU boards' flash, both modes, cmp'd with the host's report.
test-boards-trained:
	$(Q)tests/cross/test_boards_trained.sh $(BOARDS)
PHONY += test-boards test-board-default test-board-shards test-kernels-arm size board-build board-run board-info

test-boards:
	$(Q)tests/cross/test_boards.sh $(BOARDS)
# The Cortex-M matmul tiles (core/src/matmul_arm.h) against plain C sums at the corners no
# report reaches, on every board x mode.
test-kernels-arm:
	$(Q)tests/cross/test_kernels_arm.sh $(BOARDS)
# The cheapest board and mode under QEMU (hardware float): seconds, not minutes.
test-board-default:
	$(Q)tests/cross/test_board_default.sh qemu-mps2-an386 f32

# One run's two shards on an M0 and an M4F board, merged on the host: the host's single run.
test-board-shards:
	$(Q)tests/cross/test_board_shards.sh

size:
	$(Q)tests/cross/size.sh $(BOARDS)

ifneq ($(BOARD),)
ifeq ($(wildcard boards/$(BOARD)/board.mk),)
$(error unknown BOARD '$(BOARD)': use one of $(BOARDS))
endif
include boards/$(BOARD)/board.mk

OUT ?= semihost
FAULT_TEST ?= 0
# A trained-model image: MODEL and TEXT both, readable files. Its flags when EXP is not given:
# the board's (few trials; the shape comes from the model).
TEXT_BYTES ?= 16384
BOARD_TRAINED_EXP ?= --trials 10
B_TRAINED :=
ifneq ($(MODEL)$(TEXT),)
ifeq ($(MODEL),)
$(error TEXT=$(TEXT) without MODEL=FILE: a trained-model image needs both)
endif
ifeq ($(TEXT),)
$(error MODEL=$(MODEL) without TEXT=FILE: a trained-model image needs both)
endif
ifneq ($(shell test -f '$(MODEL)' && test -r '$(MODEL)' && echo ok),ok)
$(error MODEL=$(MODEL): no such readable file)
endif
ifneq ($(shell test -f '$(TEXT)' && test -r '$(TEXT)' && echo ok),ok)
$(error TEXT=$(TEXT): no such readable file)
endif
ifeq ($(shell [[ '$(TEXT_BYTES)' =~ ^[1-9][0-9]*$$ ]] && echo ok),)
$(error TEXT_BYTES=$(TEXT_BYTES): not a positive number of bytes)
endif
B_TRAINED := 1
endif
ifeq ($(origin EXP),undefined)
EXP := $(if $(B_TRAINED),$(BOARD_TRAINED_EXP),$(BOARD_EXP))
B_EXP_FROM := no EXP given: $(if $(B_TRAINED),BOARD_TRAINED_EXP,BOARD_EXP) from boards/$(BOARD)/board.mk or mk/boards.mk, a few trials that end well within a minute; EXP="..." for others
else
B_EXP_FROM := given
endif
ifeq ($(OUT),semihost)
  B_OUT_DEF := CM_OUT_SEMIHOST
else ifeq ($(OUT),uart)
  B_OUT_DEF := CM_OUT_UART
else
  $(error OUT must be semihost or uart, not '$(OUT)')
endif

# PROFILE=1: the per-kernel profile build of `make bench BOARD=...` (core/include/nope/profile.h),
# in a directory of its own so that it never replaces the normal image.
PROFILE ?= 0
# KERNEL_TEST=1: tests/cross/kernel_test.c instead of the program (tests/cross/test_kernels_arm.sh):
# it includes the kernels' sources itself, so they are left out here.
KERNEL_TEST ?= 0
B_DIR := $(BUILD)/$(BOARD)-$(NUM)$(if $(filter uart,$(OUT)),-uart)$(if $(filter-out 0,$(FAULT_TEST)),-fault$(FAULT_TEST))$(if $(filter-out 0,$(PROFILE)),-prof)$(if $(filter-out 0,$(KERNEL_TEST)),-ktest)$(if $(B_TRAINED),-model)
B_ELF := $(B_DIR)/nope.elf
B_KERNEL_SRCS := core/src/kernels_f32.c core/src/kernels_fixed.c
B_SRCS := $(if $(filter-out 0,$(KERNEL_TEST)),tests/cross/kernel_test.c $(filter-out $(B_KERNEL_SRCS),$(sort $(wildcard core/src/*.c))),ports/app.c $(sort $(wildcard core/src/*.c))) \
          $(BOARD_SRCS) $(addprefix ports/cortex-m/,startup.c port_cortex_m.c semihost.c main.c mem.c)
B_OBJS := $(patsubst %.c,$(B_DIR)/obj/%.o,$(B_SRCS))
# The image's argv: EXP, and for a trained-model image the names port_input knows the linked
# model and text slice by (the same paths the host program is given to compare).
B_SLICE := $(B_DIR)/text-slice.txt
B_ARGS := $(EXP)$(if $(B_TRAINED), --model '$(MODEL)' --text '$(B_SLICE)')
B_HOST := $(HOST_DIR)/nope$(if $(filter fixed,$(NUM)),-fixed)
ifeq ($(B_TRAINED),1)
B_OBJS += $(B_DIR)/obj/inputs.o
endif
# A fixed-point image must not touch the FPU at all: with a hard-float ABI GCC would otherwise
# still move 64-bit integers through d-registers.
B_NUM_FLAGS := $(if $(filter fixed,$(NUM)),-mgeneral-regs-only)
# One core, one worker (ports/cortex-m has no threads): no per-worker scratch in RAM, unless the
# board's capacities set NOPE_MAX_THREADS themselves.
B_THREADS := $(if $(filter -DNOPE_MAX_THREADS=%,$(BOARD_CAPS)),,-DNOPE_MAX_THREADS=1)
B_CFLAGS := $(CORE_STD_FLAGS) $(BOARD_CPU) $(B_NUM_FLAGS) -O2 -g -ffunction-sections -fdata-sections -fstack-usage \
            -fno-tree-loop-distribute-patterns \
            -DNOPE_NUM=$(NUM_DEF) $(B_THREADS) $(BOARD_CAPS) $(BOARD_DEFS) -DCM_OUT=$(B_OUT_DEF) -DFAULT_TEST=$(FAULT_TEST) \
            $(if $(filter-out 0,$(PROFILE)),-DNOPE_PROFILE=1) \
            $(CORE_INC) -I$(B_DIR) $(if $(filter-out 0,$(KERNEL_TEST)),-Icore/src)
B_LDFLAGS := $(BOARD_CPU) -nostdlib -Wl,--gc-sections -Wl,-Map=$(B_DIR)/nope.map -L. -T boards/$(BOARD)/linker.ld \
             $(BOARD_LDFLAGS)

board-build: $(B_ELF)
run: board-run

# What tests/cross/ needs to know about a board, one name=value per line.
board-info:
	@printf '%s\n' 'machine=$(BOARD_QEMU_MACHINE)' 'elf=$(B_ELF)' 'exp=$(BOARD_EXP)' 'test_exp=$(BOARD_TEST_EXP)'
	@printf '%s\n' 'flashable=$(BOARD_FLASHABLE)' 'images=$(BOARD_IMAGES)' 'dir=$(B_DIR)' \
	    'ram_base=$(BOARD_RAM_BASE)' 'ram_bytes=$(BOARD_RAM_BYTES)' \
	    'flash_base=$(BOARD_FLASH_BASE)' 'flash_bytes=$(BOARD_FLASH_BYTES)' \
	    'vector_offset=$(BOARD_VECTOR_OFFSET)' 'uf2_family=$(BOARD_UF2_FAMILY)' \
	    'flash_tool=$(BOARD_FLASH_TOOL)' 'flash_target=$(BOARD_FLASH_TARGET)' 'serial_baud=$(BOARD_SERIAL_BAUD)' \
	    'boot2=$(BOARD_BOOT2)' 'text_slice=$(if $(B_TRAINED),$(B_SLICE))'

# The banner goes to stderr with the diagnostics: stdout is the report's.
board-run: $(B_ELF)
	@printf '%s\n' '$(BOARD) $(NUM): EXP="$(subst ','\'',$(EXP))" ($(B_EXP_FROM)), timeout $(QEMU_TIMEOUT) s (QEMU_TIMEOUT=s)' >&2
	$(if $(B_TRAINED),@printf '%s\n' '$(BOARD) $(NUM): trained model; the same report on the host: $(B_HOST) $(subst ','\'',$(B_ARGS))' >&2)
	$(Q)tools/qemu-run --machine $(BOARD_QEMU_MACHINE) --timeout $(QEMU_TIMEOUT) \
	    $(if $(filter uart,$(OUT)),--uart) $(if $(filter 1,$(BOARD_FLASHABLE)),--until-exit) $(B_ELF)

$(B_ELF): $(B_OBJS) boards/$(BOARD)/linker.ld ports/cortex-m/sections.ld
	$(Q)$(CROSS)gcc $(B_LDFLAGS) -o $@ $(B_OBJS) -lgcc $(B_LINK_CHECK)
	$(Q)$(CROSS)size $@ | sed 's|^|$(BOARD)-$(NUM): |' >&2

# Flags and the experiment's argv are files, rewritten only when they change, so that
# objects rebuild when (and only when) a capacity, a flag or EXP changes.
$(B_DIR)/flags.txt: board-force
	$(Q)mkdir -p $(@D)
	$(Q)echo '$(CROSS)gcc $(B_CFLAGS)' | cmp -s - $@ || echo '$(CROSS)gcc $(B_CFLAGS)' > $@
$(B_DIR)/exp_args.h: board-force
	$(Q)ports/cortex-m/gen_args.sh $@ '$(subst ','\'',$(B_ARGS))'

# A trained-model image's inputs (ports/cortex-m/gen_inputs.sh): the text slice and the assembly
# that .incbin's it and the model into flash, rewritten only when they change. A model and slice
# that do not fit in flash beside the program are refused in one line (the linker's overflow).
ifeq ($(B_TRAINED),1)
$(B_DIR)/inputs.S: board-force
	$(Q)ports/cortex-m/gen_inputs.sh $(B_DIR) '$(MODEL)' '$(TEXT)' '$(TEXT_BYTES)'
$(B_DIR)/obj/inputs.o: $(B_DIR)/inputs.S $(MODEL) $(B_DIR)/flags.txt
	$(Q)mkdir -p $(@D)
	$(Q)$(CROSS)gcc $(BOARD_CPU) -c $< -o $@
B_LINK_CHECK = 2>$(B_DIR)/link.log || { ports/cortex-m/flash_refusal.sh $(B_DIR)/link.log '$(BOARD)' '$(MODEL)' $(B_SLICE); rm -f $@; exit 2; }
endif

$(B_DIR)/obj/%.o: %.c $(B_DIR)/flags.txt | $(B_DIR)/exp_args.h
	$(Q)mkdir -p $(@D)
	$(Q)$(CROSS)gcc $(B_CFLAGS) -MMD -MP -c $< -o $@

$(B_DIR)/obj/ports/cortex-m/main.o: $(B_DIR)/exp_args.h

-include $(B_OBJS:.o=.d)
endif

PHONY += board-force
board-force:

# ---- images ----
# Real boards (BOARD_FLASHABLE := 1 in boards/<b>/board.mk): flashable files next to nope.elf,
# flashing and reading them, and their checks.
#   make BOARD=<b>                 builds nope.elf and the board's BOARD_IMAGES (hex bin uf2)
#   make BOARD=<b> flash           writes the image through BOARD_FLASH_TOOL (tools/flash)
#   make BOARD=<b> monitor [PORT=/dev/ttyACM0]
#                                  reads the report at BOARD_SERIAL_BAUD (tools/serial-capture)
#                                  and compares it with the host program's for the same EXP
#   make test-images               every flashable board x mode: builds, images validated by
#                                  tools/check-image, no semihosting call, flash without a board
FLASHABLE_BOARDS := $(patsubst boards/%/board.mk,%,$(shell grep -lE '^BOARD_FLASHABLE *:?= *1 *($$|#)' boards/*/board.mk))
TEST_TARGETS += test-images
PHONY += flash monitor test-images board-images board-no-qemu board-flashable
test-images:
	$(Q)tests/cross/test_images.sh $(FLASHABLE_BOARDS)

ifneq ($(BOARD),)
B_IMAGES := $(foreach i,$(BOARD_IMAGES),$(B_DIR)/nope.$(i))
board-build: $(B_IMAGES)
board-images: $(B_IMAGES)

# A real board: `make BOARD=<b>` builds its images; with no QEMU twin, `run` says what to do.
ifeq ($(BOARD_FLASHABLE),1)
.DEFAULT_GOAL := board-build
endif
ifeq ($(BOARD_FLASHABLE)$(BOARD_QEMU_MACHINE),1)
board-run: board-no-qemu
endif
board-no-qemu:
	@echo '$(BOARD): no QEMU machine runs this image; make BOARD=$(BOARD) flash, then make BOARD=$(BOARD) monitor' >&2
	@exit 1

$(B_DIR)/nope.hex: $(B_ELF)
	$(Q)$(CROSS)objcopy -O ihex $< $@
$(B_DIR)/nope.bin: $(B_ELF)
	$(Q)$(CROSS)objcopy -O binary $< $@
$(B_DIR)/nope.uf2: $(B_ELF) tools/uf2conv
	$(Q)tools/uf2conv --family $(BOARD_UF2_FAMILY) -o $@ $<

# RP2040 boot2: linked alone at the SRAM address the bootrom runs it from, padded to 252 bytes,
# its CRC32 appended, and turned into an object whose .boot2 section the linker.ld places first.
ifneq ($(BOARD_BOOT2),)
B_BOOT2 := $(B_DIR)/boot2
B_OBJS += $(B_BOOT2)/boot2.o
$(B_ELF): $(B_BOOT2)/boot2.o
$(B_BOOT2)/code.elf: $(BOARD_BOOT2) $(B_DIR)/flags.txt
	$(Q)mkdir -p $(@D)
	$(Q)$(CROSS)gcc $(BOARD_CPU) -nostdlib -Wl,-Ttext=0x20041f00 -Wl,-e,boot2_entry $< -o $@
$(B_BOOT2)/code.bin: $(B_BOOT2)/code.elf
	$(Q)$(CROSS)objcopy -O binary -j .text $< $@
$(B_BOOT2)/boot2.bin: $(B_BOOT2)/code.bin tools/rp2040_boot2.py
	$(Q)tools/rp2040_boot2.py $< $@
$(B_BOOT2)/boot2.o: $(B_BOOT2)/boot2.bin
	$(Q)cd $(@D) && $(CROSS)objcopy -I binary -O elf32-littlearm -B arm \
	    --rename-section .data=.boot2,alloc,load,readonly,contents boot2.bin boot2.o
endif

board-flashable:
	@[ '$(BOARD_FLASHABLE)' = 1 ] || { echo 'flash: $(BOARD) is not a flashable board (it runs under QEMU: make BOARD=$(BOARD) run); flashable: $(FLASHABLE_BOARDS)' >&2; exit 2; }

flash: board-flashable $(B_IMAGES)
	$(Q)tools/flash --tool '$(BOARD_FLASH_TOOL)' --target '$(BOARD_FLASH_TARGET)' --dir $(B_DIR)

monitor: board-flashable $(HOST_BIN)
	$(Q)tools/monitor --baud $(BOARD_SERIAL_BAUD) $(if $(PORT),--port $(PORT)) \
	    --host $(HOST_BIN) --exp '$(subst ','\'',$(EXP))' --log $(B_DIR)/serial.log
endif

# ---- nordic ----
# The flashable micro:bit boards (boards/microbit, boards/microbit-v2; ports/cortex-m/nrf5/):
# the QEMU proof of the v1 image (tests/cross/test_microbit_flashable.sh).
TEST_TARGETS += test-microbit-flashable
PHONY += test-microbit-flashable
test-microbit-flashable:
	$(Q)tests/cross/test_microbit_flashable.sh

# ---- stm32f4 ----
# The STM32F4 port under QEMU's netduinoplus2 against the host, both modes; the two real
# boards build in both modes.
TEST_TARGETS += test-stm32
PHONY += test-stm32
test-stm32:
	$(Q)tests/cross/test_stm32_qemu.sh
