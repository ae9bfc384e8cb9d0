#!/usr/bin/env bash
# Installs what the tests need when it can (Debian, as root or with sudo), and otherwise says
# exactly what to install. Quiet when everything is there.
set -u
need=()
have() { command -v "$1" >/dev/null 2>&1; }
[ -f /usr/include/cmocka.h ] || need+=(libcmocka-dev)
have qemu-system-arm || need+=(qemu-system-arm)
have arm-none-eabi-gcc || need+=(gcc-arm-none-eabi libnewlib-arm-none-eabi)
have clang || need+=(clang)
have clang-format-14 || need+=(clang-format-14)
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
have afl-fuzz || need+=(afl++)
/usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || need+=(python3-matplotlib)
/usr/bin/python3 -c 'import serial' 2>/dev/null || need+=(python3-serial)
# make check-torch: Debian's PyTorch, with the threaded OpenBLAS it is quick with (tools/torch-check)
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch libopenblas0-pthread)
parallel --version 2>/dev/null | grep -q 'GNU parallel' || need+=(parallel)
[ ${#need[@]} -eq 0 ] && exit 0
echo "make test needs: ${need[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && have sudo && sudo="sudo -n"
if have apt-get && { [ "$(id -u)" -eq 0 ] || $sudo true 2>/dev/null; }; then
  echo "installing with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    && { echo "installed: ${need[*]}"; exit 0; }
  echo "apt-get could not install them."
fi
echo "Install them, then run make test again:  sudo apt-get install ${need[*]}"
exit 1
