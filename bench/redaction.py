"""Redaction recall and precision on a generated corpus of Chinese, English and Spanish letters.

Every letter carries the writer's own details (name, phone, email, ID, address; only the name is on file, the
rest must be found by pattern) and names of other people (a neighbour, a landlord, an official...) introduced the
way letters do: relations, titles before or after the name. Half the letters also name public bodies, streets and
categories, which must stay. Prints recall per kind of item and language, the share of ordinary numbers and public
names kept, the count of redactions that hit nothing planted, and throughput. As a baseline in the same run, the
recall of other people's names with the citizen's known name and the plain patterns only (no context rules).
Run: ``.venv/bin/python bench/redaction.py [N]``.
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cases import redaction  # noqa: E402
from cases.redaction import KINDS, find_personal, redact  # noqa: E402
from tests.redaction_corpus import corpus, covered  # noqa: E402

LANGUAGES = ("en", "es", "zh")
ROWS = ("name (writer)", "name (other people)") + KINDS[1:]


def _row(kind: str, who: str) -> str:
    return ("name (writer)" if who == "citizen" else "name (other people)") if kind == "name" else kind


def measure(samples: list) -> tuple[Counter, Counter, int, int, int, float]:  # type: ignore[type-arg]
    """(planted, found) per (row, language), traps total and kept, redactions off any planted item, seconds."""
    planted, found = Counter(), Counter()
    traps_total = traps_kept = extra = 0
    started = time.perf_counter()
    for sample in samples:
        spans = find_personal(sample.text, sample.known)
        for item in sample.planted:
            key = (_row(item.kind, item.who), sample.language)
            planted[key] += 1
            found[key] += covered(item, spans)
        extra += sum(1 for s in spans if not any(p.start < s.end and s.start < p.end for p in sample.planted))
        text = redact(sample.text, sample.known).text
        traps_total += len(sample.traps)
        traps_kept += sum(1 for t in sample.traps if t in text)
    return planted, found, traps_total, traps_kept, extra, time.perf_counter() - started


def _cell(found: int, planted: int) -> str:
    return f"{found:4d}/{planted:<4d} {found / planted:.3f}" if planted else f"{'—':>16s}"


def main(size: int = 600) -> int:
    samples = corpus(size, seed=2026)
    planted, found, traps_total, traps_kept, extra, elapsed = measure(samples)
    print(f"letters: {len(samples)}  personal items planted: {sum(planted.values())}")
    print(f"{'recall':22s}" + "".join(f"{lang:>18s}" for lang in LANGUAGES) + f"{'all':>18s}")
    for row in ROWS:
        cells = [_cell(found[(row, lang)], planted[(row, lang)]) for lang in LANGUAGES]
        total = _cell(sum(found[(row, lang)] for lang in LANGUAGES), sum(planted[(row, lang)] for lang in LANGUAGES))
        print(f"  {row:20s}" + "".join(f"{c:>18s}" for c in cells) + f"{total:>18s}")
    by_lang = [_cell(sum(v for (r, lg), v in found.items() if lg == lang),
                     sum(v for (r, lg), v in planted.items() if lg == lang)) for lang in LANGUAGES]
    total_found, total = sum(found.values()), sum(planted.values())
    print(f"  {'every kind':20s}" + "".join(f"{c:>18s}" for c in by_lang) + f"{_cell(total_found, total):>18s}")
    print(f"overall recall: {total_found}/{total} = {total_found / total:.4f}  (target 1.0000)")
    print(f"ordinary numbers and public names (units, streets, categories) kept: {traps_kept}/{traps_total} = "
          f"{traps_kept / traps_total:.4f}")
    print(f"redactions not on a planted item: {extra}")
    print(f"time: {elapsed * 1000:.0f} ms for {len(samples)} letters ({elapsed / len(samples) * 1000:.2f} ms/letter)")
    # Baseline: the same corpus without the context rules for other people's names.
    with mock.patch.object(redaction, "third_party_names", lambda text: []):
        b_planted, b_found, *_rest = measure(samples)
    row = "name (other people)"
    print("baseline without the context rules, other people's names: " + ", ".join(
        f"{lang} {_cell(b_found[(row, lang)], b_planted[(row, lang)]).strip()}" for lang in LANGUAGES))
    return 0 if total_found == total and traps_kept == traps_total else 1


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 600))
