"""Fuzzing reading and extraction: 10,000 generated inputs, no traceback and no hang.

The inputs are made by a seeded generator (the same every run): random bytes, the bundled
texts cut, spliced, with bytes flipped, re-encoded (UTF-16, GB18030, with and without a byte
order mark), with other line endings (CR, CR LF, none), control characters and stray markup.
Each goes through :func:`mandates.extract.read.read_source` and, when readable, through the
whole extraction and the triples; an :class:`InputError` is the one acceptable refusal.
"""

from __future__ import annotations

import random
import signal
import time

import pytest

from conftest import CORPUS

COUNT = 10_000
FULL_TEXTS = 600  # of them, whole (mutated) resolutions; the rest are fragments and noise
PER_INPUT = 10.0  # seconds: an input taking longer counts as a hang


def _texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.iterdir()) if p.suffix in (".txt", ".md")]


def _mutate(rng: random.Random, text: str, *, whole: bool) -> bytes:
    if not whole:
        start = rng.randrange(len(text))
        text = text[start:start + rng.randrange(1, 400)]
    for _ in range(rng.randrange(4)):
        op = rng.randrange(7)
        i = rng.randrange(len(text) + 1)
        if op == 0:
            text = text[:i] + text[rng.randrange(len(text) + 1):][:rng.randrange(200)] + text[i:]
        elif op == 1:
            text = text[:i] + text[i + rng.randrange(50):]
        elif op == 2:
            text = text.replace("\n", rng.choice(["\r", "\r\n", " ", "", "\u2028", "\f"]))
        elif op == 3:
            text = text[:i] + rng.choice(["\x00", "\x1b", "\x7f", "\ufeff", "\u200b", "**", "<b>", "</p>", "&amp;",
                                          "1.", "(a)", "；", "¹", "²³", "《", "》", "第", "号决议"]) + text[i:]
        elif op == 4:
            text = text[:i] + "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(30))) + text[i:]
        elif op == 5:
            text = text * rng.randrange(1, 3)
        else:
            text = text.upper() if rng.random() < 0.5 else text.lower()
    encoding = rng.choice(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gb18030"])
    data = text.encode(encoding, errors="replace")
    if rng.random() < 0.1 and data:  # flip a few bytes
        b = bytearray(data)
        for _ in range(rng.randrange(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        data = bytes(b)
    return data


def inputs(seed: int = 20201207) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    texts = _texts()
    out = []
    for i in range(COUNT):
        if i % 10 == 9:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
            suffix = ".txt"
        else:
            data = _mutate(rng, rng.choice(texts), whole=i < FULL_TEXTS)
            suffix = rng.choice([".txt", ".md", ".html"])
        out.append((f"f{i:05d}{suffix}", data))
    return out


class _Hang(Exception):
    pass


def _alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise _Hang()


@pytest.mark.filterwarnings("ignore")
def test_ten_thousand_generated_inputs_read_and_extract_without_a_traceback(tmp_path, vocab):
    from mandates.extract.extractors import extract
    from mandates.extract.read import InputError, read_source
    from mandates.graph.builder import build_triples

    cases = inputs()
    assert len(cases) >= 10_000
    failures: list[str] = []
    refused = built = 0
    slowest = (0.0, "")
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for name, data in cases:
            path = tmp_path / name
            path.write_bytes(data)
            t0 = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, PER_INPUT)
            try:
                try:
                    src = read_source(path)
                except InputError as exc:
                    assert str(exc).startswith(str(path)), str(exc)
                    refused += 1
                    continue
                doc = extract(src, vocab)
                build_triples(doc)
                built += 1
            except _Hang:
                failures.append(f"{name}: still running after {PER_INPUT} s")
            except Exception as exc:  # noqa: BLE001 - what the test is for
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                slowest = max(slowest, (time.perf_counter() - t0, name))
                path.unlink()
    finally:
        signal.signal(signal.SIGALRM, old)
    assert failures == [], failures[:20]
    assert built > 5_000 and refused > 500, (built, refused)
    assert slowest[0] < PER_INPUT, slowest


def test_the_inputs_are_the_same_every_run():
    a, b = inputs(), inputs()
    assert a == b
    assert len({data for _, data in a}) > 0.95 * COUNT  # (and hardly any twice)

