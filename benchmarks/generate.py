"""Generate a realistic synthetic corpus of General Assembly resolutions for benchmarks.

The paragraphs are the real ones of the bundled corpus (``corpus/``), as the project's own
extraction finds them, recombined into new resolutions: a header in the layout the UN
prints (session, agenda item, title, adoption date, drafts, symbol), preambular then
operative paragraphs renumbered, each with its actors swapped for other actors of the
vocabularies (same language), its cited resolutions and its years varied, and a closing
plenary meeting line. Chinese and English documents in the proportion ``--zh``; a share
``--pairs`` of the resolutions also come as a second language version under the same
symbol (the language versions a real corpus holds).

The output is deterministic for a given ``--seed``::

    python3 benchmarks/generate.py --docs 1000 --out /tmp/corpus-1000
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ORD_UNITS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
TENS = {5: "fift", 6: "sixt", 7: "sevent"}
ZH_DIGITS = "零一二三四五六七八九"


def english_session(n: int) -> str:
    """``Seventy-fourth``: the session as the English header prints it (50 <= n <= 79)."""
    tens, unit = divmod(n, 10)
    word = f"{TENS[tens]}ieth" if unit == 0 else f"{TENS[tens]}y-{ORD_UNITS[unit]}"
    return word[0].upper() + word[1:]


def chinese_number(n: int) -> str:
    """``七十四`` (10 <= n <= 99)."""
    tens, unit = divmod(n, 10)
    return ("" if tens == 1 else ZH_DIGITS[tens]) + "十" + (ZH_DIGITS[unit] if unit else "")


@dataclass
class Para:
    lang: str
    kind: str
    text: str
    actors: list[tuple[int, int]]  # spans (in text) of actor names, to swap


@dataclass
class Pool:
    paragraphs: dict[tuple[str, str], list[Para]]
    titles: dict[str, list[str]]
    actors: dict[str, list[str]]


_SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"


def _clean(text: str, lang: str) -> str | None:
    """A paragraph's text without footnote markers and page furniture, on one line; None when unusable."""
    t = re.sub(f"[{_SUPERSCRIPTS}]+", "", text)
    t = t.replace("**", "")
    if lang == "zh":
        t = re.sub(r"(?<=[，。；,;])\s*\d{1,2}/", "", t)
        t = re.sub(r"\s*\n\s*", "", t).strip()
    else:
        t = re.sub(r"\b\d{1,2}F\b", "", t)  # PDF footnote anchors ("0F")
        t = re.sub(r",\s*\d{1,2}(?=\s+(?:which|in which|and|as|that|of)\b)", ",", t)
        t = re.sub(r"(?<=[a-z,)])\s*\d{1,2}\s*$", "", t)
        t = re.sub(r"\s+", " ", t).strip()
    if len(t) < 20 or "___" in t or "Distr." in t or "Agenda item" in t:
        return None
    return t


def harvest() -> Pool:
    """Paragraphs, titles and actor names from the bundled corpus and the vocabularies."""
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source
    from mandates.core.resources import corpus_dir
    from mandates.vocab.concepts import load

    vocab = load()
    paragraphs: dict[tuple[str, str], list[Para]] = {}
    titles: dict[str, list[str]] = {"zh": [], "en": []}
    for f in sorted(corpus_dir().iterdir()):
        if f.suffix not in (".txt", ".md"):
            continue
        doc = extract(read_source(f), vocab)
        if doc.header.title:
            titles[doc.lang].append(re.sub(r"\s+", "" if doc.lang == "zh" else " ", doc.header.title).strip())
        for p in doc.paragraphs:
            raw = doc.text[p.body_span[0]:p.body_span[1]]
            text = _clean(raw, doc.lang)
            if text is None:
                continue
            spans = []
            for m in p.mentions:
                if m.kind != "actor" or m.how != "name" or m.flagged:
                    continue
                name = doc.text[m.span[0]:m.span[1]]
                name = re.sub(r"\s+", " ", name) if doc.lang == "en" else re.sub(r"\s+", "", name)
                at = text.find(name)
                if at >= 0 and not any(s < at + len(name) and at < e for s, e in spans):
                    spans.append((at, at + len(name)))
            paragraphs.setdefault((doc.lang, p.kind), []).append(Para(doc.lang, p.kind, text, sorted(spans)))
    actors: dict[str, list[str]] = {"zh": [], "en": []}
    for c in vocab.concepts:
        if c.kind != "actor":
            continue
        for lang in ("zh", "en"):
            if c.pref.get(lang):
                actors[lang].append(c.pref[lang])
    for lang in actors:
        actors[lang] = sorted(set(actors[lang]))
    return Pool(paragraphs, titles, actors)


def _vary(p: Para, rng: random.Random, pool: Pool, year: int) -> str:
    text = p.text
    # swap actors (from the end, so spans hold)
    for s, e in reversed(p.actors):
        if rng.random() < 0.5:
            text = text[:s] + rng.choice(pool.actors[p.lang]) + text[e:]
    # cited resolutions: other sessions and numbers
    text = re.sub(r"(?<![\d/])(\d{2})/(\d{1,3})(?![\d/])",
                  lambda m: f"{rng.randint(40, max(41, year - 1946))}/{rng.randint(1, 320)}", text)
    # years: earlier than the adoption year
    text = re.sub(r"(?<!\d)(19[5-9]\d|20[0-2]\d)(?!\d)", lambda m: str(rng.randint(1990, max(1991, year - 1))), text)
    return text


def document(n: int, rng: random.Random, pool: Pool, lang: str, session: int, number: int,
             layout: dict[str, int]) -> str:
    """The text of one resolution (``layout``: how many paragraphs, the date, the agenda item, ...)."""
    year = 1945 + session + layout["late"]
    month, day = layout["month"], layout["day"]
    sub = random.Random(layout["seed"] * 7 + (1 if lang == "en" else 0))
    title = pool.titles[lang][layout["title"] % len(pool.titles[lang])]
    pps = [_vary(sub.choice(pool.paragraphs[(lang, "preambular")]), sub, pool, year) for _ in range(layout["pp"])]
    ops = [_vary(sub.choice(pool.paragraphs[(lang, "operative")]), sub, pool, year) for _ in range(layout["op"])]
    draft = f"A/{session}/L.{layout['draft']}"
    if lang == "zh":
        lines = [f"第{chinese_number(session)}届会议", f"议程项目 {layout['agenda']}", title,
                 f"{year} 年 {month} 月 {day} 日大会决议", f"[未经发交主要委员会而通过({draft})]",
                 f"{session}/{number}. {title}", "大会，"]
        lines += pps
        lines += [f"{i}. {t}" for i, t in enumerate(ops, 1)]
        lines += [f"{year} 年 {month} 月 {day} 日\n第 {layout['meeting']} 次全体会议"]
        return "\n\n".join(lines) + "\n"
    date = f"{day} {MONTHS[month - 1]} {year}"
    lines = [f"United Nations A/RES/{session}/{number}", "General Assembly Distr.: General", date,
             f"{english_session(session)} session", f"Agenda item {layout['agenda']}", title,
             "Resolution adopted by the General Assembly", f"on {date}",
             f"[without reference to a Main Committee ({draft})]", f"{session}/{number}. {title}",
             "The General Assembly,"]
    lines += pps
    lines += [f"{i}. {t}" for i, t in enumerate(ops, 1)]
    lines += [f"{layout['meeting']}th plenary meeting", date]
    return "\n".join(lines) + "\n"


SESSIONS = (50, 79)  # the sessions drawn from (the header words are written for these)
NUMBERS = 330  # resolutions a session, as many as a busy session adopts


def resolution_numbers(count: int, pairs: float) -> int:
    """The highest resolution number to draw for ``count`` documents of which a share ``pairs``
    come in two languages: :data:`NUMBERS` while the symbols of :data:`SESSIONS` leave room (the
    corpora whose figures benchmarks/README.md records, 10,000 documents among them), more
    beyond (30 sessions of 330 hold 9,900 resolutions: at 20,000 documents the draws never
    ended).

    >>> resolution_numbers(10_000, 0.05), resolution_numbers(10_000, 0.0), resolution_numbers(20_000, 0.05)
    (330, 500, 953)
    """
    sessions = SESSIONS[1] - SESSIONS[0] + 1
    resolutions = -(-count // (1 + pairs))
    if resolutions <= 0.97 * sessions * NUMBERS:
        return NUMBERS
    return int(-(-resolutions * 3 // (2 * sessions)))


def generate(count: int, out: Path, *, seed: int = 1, zh: float = 0.7, pairs: float = 0.05) -> list[Path]:
    """Write ``count`` documents into ``out``; the file names are the symbols."""
    if not 0 <= pairs <= 1:
        raise ValueError(f"pairs is a share, between 0 and 1: {pairs}")
    rng = random.Random(seed)
    pool = harvest()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[tuple[int, int]] = set()
    numbers = resolution_numbers(count, pairs)
    room = (SESSIONS[1] - SESSIONS[0] + 1) * numbers  # distinct symbols to draw from
    while len(written) < count:
        if len(used) >= room:
            raise RuntimeError(f"no resolution symbol left for document {len(written) + 1} of {count}")
        session = rng.randint(*SESSIONS)
        number = rng.randint(1, numbers)
        if (session, number) in used:
            continue
        used.add((session, number))
        layout = {"pp": rng.randint(3, 12), "op": rng.randint(4, 24), "month": rng.randint(1, 12),
                  "day": rng.randint(1, 28), "late": rng.randint(0, 1), "agenda": rng.randint(10, 180),
                  "meeting": rng.randint(30, 110), "draft": rng.randint(1, 90), "title": rng.randint(0, 99),
                  "seed": rng.randint(0, 2**31)}
        langs = ["zh" if rng.random() < zh else "en"]
        if rng.random() < pairs and len(written) + 1 < count:
            langs.append("en" if langs[0] == "zh" else "zh")
        for lang in langs:
            path = out / f"A-RES-{session}-{number}.{lang}.txt"
            path.write_text(document(len(written), rng, pool, lang, session, number, layout), encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=100, help="how many documents (default 100)")
    ap.add_argument("--out", type=Path, required=True, help="the folder to write them into")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--zh", type=float, default=0.7, help="share of Chinese documents (default 0.7)")
    ap.add_argument("--pairs", type=float, default=0.05,
                    help="share of resolutions that also come in the other language (default 0.05)")
    args = ap.parse_args(argv)
    if args.docs < 1 or not 0 <= args.zh <= 1 or not 0 <= args.pairs <= 1:
        ap.error("--docs must be at least 1, --zh and --pairs between 0 and 1")
    files = generate(args.docs, args.out, seed=args.seed, zh=args.zh, pairs=args.pairs)
    print(f"generate: {len(files)} documents in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
