#!/usr/bin/env python3
"""Re-check the CRC column: python3 check_crc.py mpm_valid.tsv mpm_invalid.tsv"""
import sys


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


assert crc16_ccitt_false(b"123456789") == 0x29B1
bad = 0
for name in sys.argv[1:]:
    for number, line in enumerate(open(name, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        scheme, source, expected, payload = line.split("\t")
        at = payload.rfind("6304")
        ok = at >= 0 and len(payload) == at + 8 and \
            "%04X" % crc16_ccitt_false(payload[: at + 4].encode("utf-8")) == payload[at + 4:].upper()
        if ok != (expected == "yes"):
            bad += 1
            print(f"{name}:{number}: expected_crc_ok={expected} but crc ok={ok}")
sys.exit(1 if bad else 0)
