#!/usr/bin/env python3
"""Print CRC-16/CCITT-FALSE of each argument's UTF-8 bytes, or append it to a payload ending in 6304."""
import sys


def crc16(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


for arg in sys.argv[1:]:
    value = crc16(arg.encode("utf-8"))
    print(arg + f"{value:04X}" if arg.endswith("6304") else f"{value:04X}")
