#!/usr/bin/env python3
"""RP2040 boot2: pad a raw second stage to 252 bytes and append its CRC32 (so 256 bytes).

    rp2040_boot2.py IN.bin OUT.bin

The bootrom checks this CRC before it runs the second stage (RP2040 datasheet 2.8.1.3.1):
polynomial 0x04c11db7, initial value 0xffffffff, no input or output reflection, no final XOR,
stored little-endian in bytes 252..255. That is CRC-32/MPEG-2, not zlib's CRC-32 (which
reflects). tools/check-image imports crc32_mpeg2 from here to verify images."""
import sys

BOOT2_SIZE = 256
BOOT2_CODE_MAX = 252


def crc32_mpeg2(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else (crc << 1)
            crc &= 0xFFFFFFFF
    return crc


def pad(code: bytes) -> bytes:
    if len(code) > BOOT2_CODE_MAX:
        raise ValueError(f"boot2 is {len(code)} bytes, more than the {BOOT2_CODE_MAX} it may have")
    body = code + bytes(BOOT2_CODE_MAX - len(code))
    return body + crc32_mpeg2(body).to_bytes(4, "little")


def main(argv):
    if len(argv) != 3:
        print("usage: rp2040_boot2.py IN.bin OUT.bin", file=sys.stderr)
        return 2
    # The check value of CRC-32/MPEG-2 ("123456789" -> 0x0376e6e7): a wrong table never ships.
    assert crc32_mpeg2(b"123456789") == 0x0376E6E7
    with open(argv[1], "rb") as f:
        code = f.read()
    try:
        image = pad(code)
    except ValueError as e:
        print(f"rp2040_boot2: {e}", file=sys.stderr)
        return 1
    with open(argv[2], "wb") as f:
        f.write(image)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
