"""Scoring redaction on the two evaluation sets: the generated corpus (``tests/redaction_corpus.py``, items planted
at known positions) and the independent letters (``tests/redaction_corpus_independent.py``, items annotated by
text). Recall per (kind, language), the share of public words kept, and every miss. Used by the tests and by
``bench/redaction.py``."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from cases.redaction import Known, Redacted, find_personal, redact, redact_all
from tests.redaction_corpus import corpus, covered
from tests.redaction_corpus_independent import LETTERS, Letter

TARGET_RECALL, TARGET_PUBLIC_KEPT = 0.98, 0.97


@dataclass
class Score:
    """Counts per (kind, language) of personal items and of those removed; public words and those kept."""

    planted: Counter = field(default_factory=Counter)  # type: ignore[type-arg]
    found: Counter = field(default_factory=Counter)  # type: ignore[type-arg]
    public_total: int = 0
    public_kept: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (language, kind, item)
    lost_public: list[tuple[str, str]] = field(default_factory=list)  # (language, word)

    @property
    def recall(self) -> float:
        return sum(self.found.values()) / max(sum(self.planted.values()), 1)

    @property
    def public_rate(self) -> float:
        return self.public_kept / max(self.public_total, 1)


def removed(item: str, kind: str, texts: list[str], results: list[Redacted]) -> bool:
    """Whether every occurrence of ``item`` in the original texts lies wholly inside redactions (a partly
    redacted address or number still leaks), and, for a name, none of its words is left anywhere (a surname left
    behind still names the person)."""
    for text, result in zip(texts, results):
        for m in re.finditer(re.escape(item), text):
            if not all(any(s.start <= i < s.end for s in result.spans) for i in range(m.start(), m.end())):
                return False
    if kind == "name":
        joined = "\n".join(r.text for r in results)
        words = [w for w in re.split(r"[\s.,]+", item) if len(w) >= 2]
        return not any(re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", joined) for w in words)
    return True


def _known(letter: Letter) -> Known:
    k = letter.known

    def one(key: str) -> tuple[str, ...]:
        return (k[key],) if k.get(key) else ()

    return Known(names=one("name"), phones=one("phone"), emails=one("email"), addresses=one("address"))


def score_independent(letters: tuple[Letter, ...] = LETTERS) -> Score:
    """Redact each letter's subject, text and reply together (as a publication is) and score them."""
    score = Score()
    for letter in letters:
        texts = [letter.subject, letter.text, letter.reply]
        results = redact_all(texts, _known(letter))
        outputs = [r.text for r in results]
        for item, kind in letter.personal:
            score.planted[(kind, letter.lang)] += 1
            if removed(item, kind, texts, results):
                score.found[(kind, letter.lang)] += 1
            else:
                score.misses.append((letter.lang, kind, item))
        for word in letter.public:
            score.public_total += 1
            if word in "\n".join(outputs):
                score.public_kept += 1
            else:
                score.lost_public.append((letter.lang, word))
    return score


def score_generated(size: int, seed: int) -> Score:
    """The generated corpus: an item counts when every character of it lies inside a redaction."""
    score = Score()
    for sample in corpus(size, seed=seed):
        spans = find_personal(sample.text, sample.known)
        for item in sample.planted:
            kind = "name (writer)" if item.kind == "name" and item.who == "citizen" else (
                "name (other people)" if item.kind == "name" else item.kind)
            score.planted[(kind, sample.language)] += 1
            if covered(item, spans):
                score.found[(kind, sample.language)] += 1
            else:
                score.misses.append((sample.language, kind, item.text))
        text = redact(sample.text, sample.known).text
        for trap in sample.traps:
            score.public_total += 1
            if trap in text:
                score.public_kept += 1
            else:
                score.lost_public.append((sample.language, trap))
    return score
