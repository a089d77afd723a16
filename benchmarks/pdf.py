"""Reading PDFs: pypdfium2 against pdfplumber, for speed and fidelity, on the same files.

    python3 benchmarks/pdf.py [--repeat 5]

The files are made here as the tests make them (``tests/makedocs.py``, headless Chromium): the
seed (Chinese, 6 pages, footnotes at the page feet), an English resolution with line-end
hyphens, and a 40-page PDF (the seed and its body eight times over). For each library:

- raw: its own plain-text call on every page (pypdfium2 ``get_text_range``, pdfplumber
  ``extract_text``), pages/s;
- read: the characters with their positions and sizes (pypdfium2 through PDFium's text page,
  pdfplumber's ``page.chars``) laid out by the same code (``mandates.extract.binary.layout``): page
  furniture dropped, footnotes bound, lines joined. Timed on the 40-page PDF (ms, best of
  ``--repeat``), and scored for fidelity on the seed and the English text: the share of the
  source's paragraphs and footnotes found as a line of the text, word for word, and the
  similarity of the non-space characters (difflib ratio against the source's own text).
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def pdfium_text(data: bytes) -> str:
    from mandates.extract.binary import pdf_text

    return pdf_text(data)


def pdfplumber_text(data: bytes) -> str:
    """The same layout, from pdfplumber's characters."""
    import io

    import pdfplumber

    from mandates.extract.binary import Char, layout, page_lines

    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for k, page in enumerate(pdf.pages):
            chars = [Char(c["text"], c["x0"], c["x1"], c["matrix"][5], c["size"], c["size"]) for c in page.chars]
            pages.append(page_lines(chars, k))
    return layout(pages)


def pdfium_raw(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    n = 0
    for page in pdf:
        n += len(page.get_textpage().get_text_range())
    return len(pdf)


def pdfplumber_raw(data: bytes) -> int:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
        return len(pdf.pages)


def best_ms(fn, data: bytes, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn(data)
        best = min(best, time.perf_counter() - t)
    return best * 1000


def fidelity(text: str, source: str) -> tuple[float, float]:
    """(share of the source's paragraphs and footnotes found as lines of ``text``, similarity
    of the non-space characters)."""
    import makedocs

    lines = set(text.split("\n"))
    wanted = [b.text if b.kind == "para" else f"{makedocs.SUPERSCRIPTS[b.number]} {b.text}"
              for b in makedocs.blocks(source)]
    found = sum(1 for w in wanted if w in lines) / len(wanted)
    flat = "".join("".join(w.split()) for w in wanted)
    got = "".join(text.split())
    return found, difflib.SequenceMatcher(None, flat, got, autojunk=False).ratio()


def main(argv: list[str] | None = None) -> int:
    import makedocs

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs (the best is printed)")
    args = ap.parse_args(argv)
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # (its warnings about Chromium's fonts)
    seed = (ROOT / "corpus/A-RES-74-303.zh.md").read_text(encoding="utf-8")
    english = (ROOT / "corpus/A-RES-55-23.en.txt").read_text(encoding="utf-8")
    body = seed[seed.index("大会，"):]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        files = {
            "seed": makedocs.make_pdf(seed, d / "seed.pdf", lang="zh", symbol="A/RES/74/303", workdir=d / "w"),
            "english": makedocs.make_pdf(english, d / "en.pdf", lang="en", symbol="A/RES/55/23", workdir=d / "w",
                                         hyphenate=True),
            "long": makedocs.make_pdf(seed + "\n\n" + "\n\n".join([body] * 8), d / "long.pdf", lang="zh",
                                      symbol="A/RES/74/303", workdir=d / "w"),
        }
        data = {k: f.read_bytes() for k, f in files.items()}
    import pypdfium2 as pdfium

    pages = len(pdfium.PdfDocument(data["long"]))
    libs = {"pypdfium2": (pdfium_raw, pdfium_text), "pdfplumber": (pdfplumber_raw, pdfplumber_text)}
    print(f"{pages}-page PDF ({len(data['long']) // 1024} KB); best of {args.repeat}\n")
    print(f"{'library':<12} {'raw pages/s':>12} {'read ms':>9} {'read pages/s':>13} "
          f"{'seed lines':>11} {'seed chars':>11} {'en lines':>9} {'en chars':>9}")
    for name, (raw, read) in libs.items():
        raw_ms = best_ms(raw, data["long"], args.repeat)
        read_ms = best_ms(read, data["long"], args.repeat)
        zl, zc = fidelity(read(data["seed"]), seed)
        el, ec = fidelity(read(data["english"]), english)
        print(f"{name:<12} {pages / raw_ms * 1000:>12.0f} {read_ms:>9.0f} {pages / read_ms * 1000:>13.0f} "
              f"{zl:>11.3f} {zc:>11.3f} {el:>9.3f} {ec:>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
