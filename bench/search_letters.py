"""Deterministic letters and query samples for ``bench/search.py``.

Letters are generated one at a time from a seed (English, Spanish, Chinese, some mixed), so a benchmark of a
million letters streams them into an index without holding them in memory; the same seed gives the same
letters on every pass. Queries are drawn from a sample of the letters kept while they stream past.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from itertools import accumulate
from typing import Iterator

from cases.numbering import format_case_number
from search_index.analysis import cjk_runs

EN_BASE = """street light broken garbage collection noise neighbor water pipe leak road repair traffic
parking bus school hospital park tree dog complaint request help please city office house rent heating
electricity pollution smoke construction night morning children elderly sidewalk bridge flood drain
sewer trash recycling permit license tax fee payment refund delay problem issue report service staff
answer reply letter phone email resident community building elevator stairs fire safety police crime
market shop food price quality health clinic doctor medicine insurance pension job salary worker
company contract landlord tenant repairing repaired lights streets complaints neighbors roads buses""".split()
ES_BASE = """calle luz basura recogida ruido vecino agua tubería fuga carretera reparación tráfico
aparcamiento autobús escuela hospital parque árbol perro queja solicitud ayuda por favor ciudad oficina
casa alquiler calefacción electricidad contaminación humo construcción noche mañana niños mayores acera
puente inundación desagüe alcantarilla reciclaje permiso licencia impuesto tasa pago reembolso retraso
problema servicio personal respuesta carta teléfono correo vecinos edificio ascensor escaleras incendio
seguridad policía mercado tienda comida precio calidad salud médico pensión trabajo salario empresa
contrato propietario inquilino calles quejas reparaciones luces semáforo""".split()
SYLLABLES = "ka ri to me sa lu no ve da pi ro mi te na co lo be ga fi su ze ta pe ni".split()
UNITS = [(f"unit-{i:02d}", name) for i, name in enumerate(
    ["Water Bureau", "Roads Office", "Housing Bureau", "Education Bureau", "Health Commission", "Police Bureau",
     "Transport Bureau", "Environment Bureau", "Market Regulation", "Labour Bureau"]
    + [f"District {i}" for i in range(20)] + [f"County {i}" for i in range(10)])]
STATUSES = ["registered", "dispatched", "accepted", "feedback", "replied", "closed", "returned"]
KINDS = ["consultation", "report", "suggestion", "help", "complaint", "praise"]
CHANNELS = ["web", "phone", "email", "paper"]
SURNAMES = "Wang Li Zhang Liu Chen Garcia Lopez Smith Johnson Martinez".split()


def chinese_vocabulary(limit: int) -> list[str]:
    """The most frequent 2-4 character words of jieba's dictionary."""
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    words = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and 2 <= len(parts[0]) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in parts[0]):
                words.append((int(parts[1]), parts[0]))
    words.sort(reverse=True)
    return [w for _, w in words[:limit]]


ZH_FUNCTION = "的 了 是 在 和 有 我 不 人 都 一个 也 就 这 我们 他们 要 会 对 说 到 没有 还 被 把 从 给 很 但是 因为".split()
# Share of running words that are function words (articles, prepositions, particles),
# as in real prose; the rest are content words.
FUNCTION_SHARE = 0.4


class LetterGenerator:
    """Deterministic letters: function words plus Zipf-Mandelbrot content words per language.

    Content ranks are offset (weight 1/(rank+30)) so the most common content word
    is about half a percent of running text, as in real letters, instead of the
    10 % a plain Zipf law over a small vocabulary would give.
    """

    def __init__(self, seed: int = 42, synthetic: int = 4000) -> None:
        from whoosh.lang.stopwords import stoplists

        self.rng = random.Random(seed)
        en = EN_BASE + self._synthetic(synthetic, "")
        es = ES_BASE + self._synthetic(synthetic, "o")
        zh = chinese_vocabulary(6000)
        self.vocab = {"en": en, "es": es, "zh": zh}
        self.weights = {k: list(accumulate(1.0 / (r + 30) for r in range(len(v)))) for k, v in self.vocab.items()}
        self.function = {"en": sorted(stoplists["en"]), "es": sorted(stoplists["es"]), "zh": ZH_FUNCTION}
        self.fweights = {k: list(accumulate(1.0 / (r + 1) for r in range(len(v)))) for k, v in self.function.items()}

    def _synthetic(self, n: int, suffix: str) -> list[str]:
        out = set()
        while len(out) < n:
            out.add("".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4))) + suffix)
        return sorted(out)

    def words(self, lang: str, k: int, function: bool = True) -> list[str]:
        content = self.rng.choices(self.vocab[lang], cum_weights=self.weights[lang], k=k)
        if not function:
            return content
        glue = self.rng.choices(self.function[lang], cum_weights=self.fweights[lang], k=k)
        share = self.rng.random
        return [g if share() < FUNCTION_SHARE else c for c, g in zip(content, glue)]

    def paragraph(self, lang: str, k: int) -> str:
        words = self.words(lang, k)
        if lang == "zh":
            out, i = [], 0
            while i < len(words):
                n = self.rng.randint(5, 12)
                out.append("".join(words[i : i + n]) + "。")
                i += n
            return "".join(out)
        out, i = [], 0
        while i < len(words):
            n = self.rng.randint(6, 14)
            sentence = " ".join(words[i : i + n])
            out.append(sentence[:1].upper() + sentence[1:] + ".")
            i += n
        return " ".join(out)

    def letter(self, i: int) -> dict:
        rng = self.rng
        lang = rng.choices(["en", "es", "zh"], weights=[4, 3, 3])[0]
        texts = [self.paragraph(lang, rng.randint(80, 250))]
        if rng.random() < 0.2:
            texts.append(self.paragraph(rng.choice(["en", "es", "zh"]), rng.randint(20, 60)))
        if rng.random() < 0.5:
            texts.append(self.paragraph(lang, rng.randint(20, 60)))
        unit_id, unit_name = UNITS[min(len(UNITS) - 1, int(rng.paretovariate(1.2)) - 1)]
        created = dt.datetime(2021, 1, 1) + dt.timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
        name = f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}{i % 97}"
        return {
            "id": f"case-{i}",
            "version": f"v{i % 7}",
            "number": format_case_number(created.year, i),
            "kind": rng.choice(KINDS),
            "category": f"cat-{rng.randrange(12)}",
            "status": rng.choice(STATUSES),
            "channel": rng.choice(CHANNELS),
            "unit_id": unit_id,
            "unit_name": unit_name,
            "urgency": rng.choice(["normal", "urgent"]),
            "created": created,
            "updated": created + dt.timedelta(days=rng.randrange(30)),
            "title": " ".join(self.words(lang, 5, function=False)),
            "text": texts,
            "private": [name, f"1{rng.randrange(10**10):010d}", f"user{i}@example.org"],
        }


class LetterStream:
    """The letters ``0..count-1`` of ``seed``, generated lazily; keeps the letters at ``keep`` (indices) and
    the wall and CPU time spent generating (``generate_s``, ``generate_cpu_s``), so an index rate can leave
    generation out."""

    def __init__(self, count: int, seed: int, keep: set[int] = frozenset()) -> None:
        self.count = count
        self.seed = seed
        self.keep = keep
        self.kept: list[dict] = []
        self.generate_s = 0.0
        self.generate_cpu_s = 0.0

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict]:
        gen = LetterGenerator(self.seed)
        self.kept = []
        self.generate_s = self.generate_cpu_s = 0.0
        clock, cpu = time.perf_counter, time.process_time
        for i in range(self.count):
            start, cpu_start = clock(), cpu()
            doc = gen.letter(i)
            self.generate_s += clock() - start
            self.generate_cpu_s += cpu() - cpu_start
            if i in self.keep:
                self.kept.append(doc)
            yield doc


def sample_indices(count: int, size: int, seed: int) -> set[int]:
    """``size`` letter indices out of ``count`` to draw queries from."""
    return set(random.Random(seed).sample(range(count), min(count, size)))


SHAPES = ("single", "two words", "phrase", "filtered", "faceted+hl", "zh inside")


def _sample_words(doc: dict) -> list[str]:
    text = doc["text"][0]
    if any("\u4e00" <= c <= "\u9fff" for c in text[:20]):
        import jieba

        return [w for w in jieba.lcut(text, HMM=False) if len(w) >= 2 and "\u4e00" <= w[0] <= "\u9fff"]
    return [w.strip(".").lower() for w in text.split() if len(w.strip(".")) > 3]


def make_queries(docs: list[dict], per_shape: int, seed: int) -> dict[str, list[tuple]]:
    """``{shape: [(query, unit ids, status), ...]}``: ``per_shape`` queries of every shape, words taken
    from ``docs``. "zh inside" is three Chinese characters from inside a letter, wherever jieba cut them."""
    rng = random.Random(seed)
    shapes: dict[str, list[tuple]] = {k: [] for k in SHAPES}
    while min(len(v) for v in shapes.values()) < per_shape:
        doc = rng.choice(docs)
        words = _sample_words(doc)
        if len(words) < 4:
            continue
        units = [u for u, _ in rng.sample(UNITS, 5)]
        status = rng.choice(STATUSES)
        i = rng.randrange(len(words) - 1)
        shapes["single"].append((rng.choice(words), units, status))
        shapes["two words"].append((f"{rng.choice(words)} {rng.choice(words)}", units, status))
        sep = "" if "\u4e00" <= words[i][0] <= "\u9fff" else " "
        shapes["phrase"].append((f'"{words[i]}{sep}{words[i + 1]}"', units, status))
        shapes["filtered"].append((rng.choice(words), units, status))
        shapes["faceted+hl"].append((f"{rng.choice(words)} {rng.choice(words)}", units, status))
        runs = [run for run in cjk_runs(doc["text"][0]) if len(run) >= 3]
        if runs:
            run = rng.choice(runs)
            start = rng.randrange(len(run) - 2)
            shapes["zh inside"].append((run[start:start + 3], units, status))
    return {k: v[:per_shape] for k, v in shapes.items()}


def dir_size_mb(path: str) -> float:
    """Size of the files in ``path`` (not recursive), in MB."""
    return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path)) / 1e6


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
