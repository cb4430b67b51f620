"""Redaction recall and the share of public words kept, on two sets of letters in Chinese, English and Spanish:

- the generated corpus (``tests/redaction_corpus.py``): personal items planted at known positions, ordinary numbers
  and public names as traps; written alongside the rules;
- the independent letters (``tests/redaction_corpus_independent.py``): 45 letters written apart from the rules,
  every personal item annotated with its kind, and the public words that must stay;
- held-out letters (``tests/redaction_corpus_holdout.py``): 15 more, written after the rules were tuned on the
  independent letters.

Prints recall per kind of item and language, public words kept, every miss and every public word lost, and the
time per letter. As a baseline in the same run: the independent letters without the cue-less name finders
(jieba's tagger and the name lists), which shows what they add.
Run: ``.venv/bin/python bench/redaction.py [N]`` (N generated letters, default 600).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cases import redaction  # noqa: E402
from tests.redaction_scoring import (TARGET_PUBLIC_KEPT, TARGET_RECALL, Score, score_generated,  # noqa: E402
                                     score_independent)

LANGUAGES = ("en", "es", "zh")


def _cell(found: int, planted: int) -> str:
    return f"{found:4d}/{planted:<4d} {found / planted:.3f}" if planted else f"{'—':>16s}"


def report(title: str, score: Score, letters: int, seconds: float) -> None:
    print(f"\n== {title}: {letters} letters, {sum(score.planted.values())} personal items, "
          f"{seconds / letters * 1000:.1f} ms/letter")
    rows = sorted({kind for kind, _lang in score.planted})
    print(f"{'recall':22s}" + "".join(f"{lang:>18s}" for lang in LANGUAGES) + f"{'all':>18s}")
    for row in rows:
        cells = [_cell(score.found[(row, lang)], score.planted[(row, lang)]) for lang in LANGUAGES]
        total = _cell(sum(score.found[(row, lang)] for lang in LANGUAGES),
                      sum(score.planted[(row, lang)] for lang in LANGUAGES))
        print(f"  {row:20s}" + "".join(f"{c:>18s}" for c in cells) + f"{total:>18s}")
    by_lang = [_cell(sum(v for (_r, lg), v in score.found.items() if lg == lang),
                     sum(v for (_r, lg), v in score.planted.items() if lg == lang)) for lang in LANGUAGES]
    total = _cell(sum(score.found.values()), sum(score.planted.values()))
    print(f"  {'every kind':20s}" + "".join(f"{c:>18s}" for c in by_lang) + f"{total:>18s}")
    print(f"recall {score.recall:.4f} (target {TARGET_RECALL}); public words kept "
          f"{score.public_kept}/{score.public_total} = {score.public_rate:.4f} (target {TARGET_PUBLIC_KEPT})")
    for lang, kind, item in score.misses:
        print(f"  missed  [{lang}] {kind}: {item}")
    for lang, word in score.lost_public:
        print(f"  lost    [{lang}] public: {word}")


def measure_tagger(letters: tuple) -> None:  # type: ignore[type-arg]
    """jieba's ``nr`` tags on the Chinese letters, raw and as filtered here: how many tagged words are annotated
    names (precision), and how many annotated names are tagged whole (recall)."""
    from cases.redaction_people import _posseg, chinese_names

    raw_hits = raw_total = kept_hits = kept_total = gold_total = raw_found = kept_found = 0
    for letter in letters:
        if letter.lang != "zh":
            continue
        text = "\n".join((letter.subject, letter.text, letter.reply))
        gold = {item for item, kind in letter.personal if kind == "name" and not item.isascii()}
        tagged = [p.word for p in _posseg().cut(text) if p.flag.startswith("nr")]
        kept = [text[a:b] for a, b in chinese_names(text)]
        raw_total, raw_hits = raw_total + len(tagged), raw_hits + sum(w in gold for w in tagged)
        kept_total, kept_hits = kept_total + len(kept), kept_hits + sum(w in gold for w in kept)
        gold_total += len(gold)
        raw_found += len(gold & set(tagged))
        kept_found += len(gold & set(kept))
    print(f"\njieba nr on the Chinese letters ({gold_total} annotated Chinese names): raw tags precision "
          f"{raw_hits}/{raw_total} = {raw_hits / raw_total:.3f}, recall {raw_found}/{gold_total} = "
          f"{raw_found / gold_total:.3f}; filtered and joined here precision {kept_hits}/{kept_total} = "
          f"{kept_hits / max(kept_total, 1):.3f}, recall {kept_found}/{gold_total} = {kept_found / gold_total:.3f}")


def main(size: int = 600) -> int:
    from tests.redaction_corpus_holdout import LETTERS as HOLDOUT
    from tests.redaction_corpus_independent import LETTERS

    redaction.find_personal("warm-up 王芳 Daniel")  # loads jieba's dictionary and the name lists once
    started = time.perf_counter()
    generated = score_generated(size, seed=2026)
    report("generated corpus", generated, size, time.perf_counter() - started)
    started = time.perf_counter()
    independent = score_independent()
    report("independent letters", independent, len(LETTERS), time.perf_counter() - started)
    started = time.perf_counter()
    holdout = score_independent(HOLDOUT)
    report("held-out letters", holdout, len(HOLDOUT), time.perf_counter() - started)
    with mock.patch.object(redaction, "chinese_names", lambda text: []), \
            mock.patch.object(redaction, "latin_names", lambda text: []):
        baseline = score_independent()
    print(f"\nbaseline, independent letters without jieba's tagger and the name lists: recall "
          f"{baseline.recall:.4f}, names {sum(v for (k, _l), v in baseline.found.items() if k == 'name')}/"
          f"{sum(v for (k, _l), v in baseline.planted.items() if k == 'name')}")
    measure_tagger(LETTERS + HOLDOUT)
    ok = all(s.recall >= TARGET_RECALL and s.public_rate >= TARGET_PUBLIC_KEPT for s in (generated, independent, holdout))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 600))
