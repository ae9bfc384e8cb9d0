# Shared by tests/cross/*.sh (sourced): board facts from mk/boards.mk and small helpers.

# board_info BOARD NUM KEY: one value from `make board-info` (machine, elf, exp, test_exp).
board_info() {
    make -s --no-print-directory BOARD="$1" NUM="$2" board-info | sed -n "s/^$3=//p"
}

# host_bin NUM: path of the host program for that mode.
host_bin() {
    if [[ $1 == f32 ]]; then echo build/host/nope; else echo build/host/nope-fixed; fi
}

# build_host NUM: build the host program; false (with make's output in $LOG_DIR) if it fails.
build_host() {
    make -s --no-print-directory NUM="$1" "$(host_bin "$1")" >"$LOG_DIR/host-$1.log" 2>&1
}
