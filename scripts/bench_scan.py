#!/usr/bin/env python3
"""Compare QR read rate and time per photo: zxing-cpp vs rqrr alone vs qrpay, same machine, same run.

Usage: scripts/bench_scan.py [PHOTOS_DIR]   (default ../shared/data/photos next to the repo)

Installs zxing-cpp, Pillow and numpy from PyPI into a venv under target/bench-venv, decodes each
image to 8-bit greyscale once, and times only the reader call for zxing-cpp; the Rust side
(examples/scan_compare.rs) likewise times only the scan of already decoded greyscale pixels.
A read counts when the expected text (NAME.txt) is among the codes found. After the table, the
photos qrpay misses or reads where zxing-cpp does not are listed one by one.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "bench-venv"
EXTS = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp"}


def ensure_venv() -> Path:
    py = VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "zxing-cpp", "Pillow", "numpy"], check=True)
    return py


def photos(directory: Path):
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        for image in sorted(folder.iterdir()):
            if image.suffix.lower() in EXTS and image.with_suffix(".txt").exists():
                yield image


def zxing_worker(directory: Path) -> None:
    """Runs inside the venv: prints name<TAB>read<TAB>ms like the Rust side."""
    import numpy as np
    import zxingcpp
    from PIL import Image

    for image in photos(directory):
        expected = image.with_suffix(".txt").read_bytes()
        grey = np.asarray(Image.open(image).convert("L"))
        start = time.perf_counter()
        results = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
        ms = (time.perf_counter() - start) * 1000.0
        read = any(r.bytes == expected or r.text.encode() == expected for r in results)
        print(f"{image.relative_to(directory)}\t{int(read)}\t{ms:.3f}", flush=True)


def run_rust(engine: str, directory: Path) -> str:
    cmd = ["cargo", "run", "-q", "--release", "--example", "scan_compare", "--", engine, str(directory)]
    return subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def table(outputs: dict) -> None:
    rows = {}
    for engine, text in outputs.items():
        for line in text.strip().splitlines():
            name, read, ms = line.split("\t")
            rows.setdefault(engine, []).append((name.split("/")[0], int(read), float(ms)))
    folders = sorted({f for r in rows.values() for f, _, _ in r})
    engines = list(outputs)
    print("| folder | " + " | ".join(engines) + " |")
    print("|---|" + "---|" * len(engines))
    for folder in folders + ["total"]:
        cells = []
        for engine in engines:
            sel = [r for r in rows[engine] if folder in ("total", r[0])]
            cells.append(f"{sum(r[1] for r in sel)}/{len(sel)}")
        print(f"| {folder} | " + " | ".join(cells) + " |")
    medians = [f"{statistics.median(r[2] for r in rows[e]):.2f}" for e in engines]
    print("| median ms | " + " | ".join(medians) + " |")
    means = [f"{statistics.mean(r[2] for r in rows[e]):.2f}" for e in engines]
    print("| mean ms | " + " | ".join(means) + " |")


def differences(outputs: dict) -> None:
    """Per photo, which engines read it, for the photos qrpay misses or zxing-cpp reads
    differently: the list to work from."""
    reads = {}
    for engine, text in outputs.items():
        for line in text.strip().splitlines():
            name, read, _ = line.split("\t")
            reads.setdefault(name, {})[engine] = read == "1"
    engines = list(outputs)
    split = [
        (name, r)
        for name, r in sorted(reads.items())
        if not r.get("qrpay", False) or r.get("qrpay", False) != r.get("zxing-cpp", False)
    ]
    if not split:
        return
    print()
    print("| photo | " + " | ".join(engines) + " |")
    print("|---|" + "---|" * len(engines))
    for name, r in split:
        print(f"| {name} | " + " | ".join("read" if r.get(e, False) else "-" for e in engines) + " |")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--zxing-worker":
        zxing_worker(Path(sys.argv[2]))
        return
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "photos"
    directory = directory.resolve()
    if not directory.is_dir():
        sys.exit(f"photos not found: {directory}")
    py = ensure_venv()
    zxing = subprocess.run(
        [str(py), __file__, "--zxing-worker", str(directory)], check=True, capture_output=True, text=True
    ).stdout
    outputs = {"zxing-cpp": zxing, "rqrr alone": run_rust("rqrr", directory), "qrpay": run_rust("ours", directory)}
    out_dir = ROOT / "target" / "bench-scan"
    out_dir.mkdir(parents=True, exist_ok=True)
    for engine, text in outputs.items():
        (out_dir / (engine.replace(" ", "-") + ".tsv")).write_text(text)
    table(outputs)
    differences(outputs)


if __name__ == "__main__":
    main()
