"""Redaction recall and precision on a generated corpus of Chinese, English and Spanish letters.

Prints recall per kind of personal item (planted at known positions), the share of ordinary numbers kept, the
count of redactions that hit nothing planted, and throughput.  Run: ``.venv/bin/python bench/redaction.py [N]``.
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cases.redaction import KINDS, find_personal, redact  # noqa: E402
from tests.redaction_corpus import corpus, covered  # noqa: E402


def main(size: int = 600) -> int:
    samples = corpus(size, seed=2026)
    planted, found = Counter(), Counter()
    per_language: dict[str, Counter] = {}
    traps_total = traps_kept = extra = 0
    started = time.perf_counter()
    for sample in samples:
        spans = find_personal(sample.text, sample.known)
        lang = per_language.setdefault(sample.language, Counter())
        for item in sample.planted:
            planted[item.kind] += 1
            lang["planted"] += 1
            if covered(item, spans):
                found[item.kind] += 1
                lang["found"] += 1
        extra += sum(1 for s in spans if not any(p.start < s.end and s.start < p.end for p in sample.planted))
        text = redact(sample.text, sample.known).text
        traps_total += len(sample.traps)
        traps_kept += sum(1 for t in sample.traps if t in text)
    elapsed = time.perf_counter() - started
    print(f"letters: {len(samples)}  personal items planted: {sum(planted.values())}")
    for kind in KINDS:
        print(f"  recall {kind:8s} {found[kind]:5d}/{planted[kind]:<5d} {found[kind] / planted[kind]:.4f}")
    for language, c in sorted(per_language.items()):
        print(f"  recall [{language}]     {c['found']:5d}/{c['planted']:<5d} {c['found'] / c['planted']:.4f}")
    total_found, total = sum(found.values()), sum(planted.values())
    print(f"overall recall: {total_found}/{total} = {total_found / total:.4f}  (target 1.0000)")
    print(f"ordinary numbers kept: {traps_kept}/{traps_total} = {traps_kept / traps_total:.4f}")
    print(f"redactions not on a planted item: {extra}")
    print(f"time: {elapsed * 1000:.0f} ms for {len(samples)} letters ({elapsed / len(samples) * 1000:.2f} ms/letter)")
    return 0 if total_found == total else 1


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 600))
