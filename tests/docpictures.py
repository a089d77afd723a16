"""The README's pictures, and a store that holds a series for the tests.

The series store: the seed resolution and its synthetic successor
(``tests/data/A-RES-76-999.zh.md``) built together: the build finds that both belong to the
UN–IPU series (the tests of the dynamic Gephi export and of the timeline picture use it). The pictures, drawn by ``mandates export`` and stored
with 256 colours (Pillow) to keep the repository small:

    python3 tests/docpictures.py    # docs/seed-mandate-network.png, docs/series-timeline.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "A-RES-74-303.zh.md"
SUCCESSOR = ROOT / "tests" / "data" / "A-RES-76-999.zh.md"
NETWORK_PICTURE = ROOT / "docs" / "seed-mandate-network.png"
TIMELINE_PICTURE = ROOT / "docs" / "series-timeline.png"


def build_pair(out: Path) -> Path:
    """The seed and its successor built into ``out`` (the build finds their series)."""
    from mandates.build.pipeline import build

    result = build([SEED, SUCCESSOR], out)
    if result.exit_code() != 0:
        raise RuntimeError(f"building the seed and its successor failed (exit {result.exit_code()})")
    return out


def export(*args: str) -> None:
    """Run ``mandates export ARGS``; raise when it fails."""
    subprocess.run([sys.executable, "-m", "mandates.cli", "export", *args], check=True)


def small_png(path: Path) -> None:
    """Store the PNG at ``path`` with 256 colours (a third of the bytes, the same picture to the eye)."""
    from PIL import Image

    with Image.open(path) as im:
        quantized = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    quantized.save(path, "PNG", optimize=True)


def main() -> int:
    from mandates.build.pipeline import build

    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "seed"
        if build([SEED], seed).exit_code() != 0:
            raise RuntimeError("building the seed failed")
        export("png", "--store", str(seed), "--out", str(NETWORK_PICTURE))
        series = build_pair(Path(tmp) / "series")
        export("timeline", "--store", str(series), "--out", str(TIMELINE_PICTURE))
    for picture in (NETWORK_PICTURE, TIMELINE_PICTURE):
        small_png(picture)
    return 0


if __name__ == "__main__":
    sys.exit(main())
