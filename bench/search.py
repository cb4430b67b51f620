"""Benchmark: our search package against a bare Whoosh baseline on the same letters.

    .venv/bin/python bench/search.py --docs 100000

Generates N deterministic letters (English, Spanish, Chinese, some mixed), indexes
them with ``search_index`` (``bulk_index`` over a generator: one process, one
writer, one commit, as a rebuild does) and with bare Whoosh (StandardAnalyzer
schema, one writer, one process), then times query shapes on both and prints
docs/s, index size and latency p50/p95. The machine's load average is printed
before and after indexing: on a shared machine the docs/s of the two runs are
only comparable when the load was similar. Ours always returns exact totals, all five facets and
highlighted snippets; the baseline does the least each shape needs. The shape "zh inside" types three
Chinese characters taken from inside a letter, wherever jieba cut them (found through the CJK fallback field).

It also prints the recall and precision of the Chinese recall list (``tests/cjk_recall.py``: typed words
that jieba cuts differently in the letter) with the word alone ("before": the text field's word terms,
what the index matched without the fallback field) and with the full query ("after").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from itertools import accumulate

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tqdm import tqdm  # noqa: E402

from cases.numbering import format_case_number  # noqa: E402
from search_index import SearchRequest, WhooshBackend, WhooshOptions  # noqa: E402
from search_index.analysis import analyze, cjk_runs  # noqa: E402
from tests.cjk_recall import PAIRS, documents, recall_precision  # noqa: E402

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


def dir_size_mb(path: str) -> float:
    return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path)) / 1e6


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# -- baseline ---------------------------------------------------------------------------------


def baseline_schema():
    from whoosh import fields

    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        number=fields.STORED(),
        status=fields.ID(stored=True),
        unit_id=fields.ID(stored=True),
        kind=fields.ID(stored=True),
        channel=fields.ID(stored=True),
        year=fields.ID(stored=True),
        body=fields.TEXT(stored=True),
        private=fields.TEXT(),
    )


def baseline_fields(doc: dict) -> dict:
    return {
        "id": doc["id"], "number": doc["number"], "status": doc["status"], "unit_id": doc["unit_id"],
        "kind": doc["kind"], "channel": doc["channel"], "year": str(doc["created"].year),
        "body": doc["title"] + "\n" + "\n\n".join(doc["text"]), "private": " ".join(doc["private"]),
    }


class Baseline:
    def __init__(self, path: str) -> None:
        from whoosh import index

        self.ix = index.create_in(path, baseline_schema())

    def index(self, docs: list[dict]) -> None:
        writer = self.ix.writer(limitmb=256)
        for doc in tqdm(docs, desc="baseline index", unit="doc", mininterval=2):
            writer.add_document(**baseline_fields(doc))
        writer.commit()

    def open(self) -> None:
        from whoosh.qparser import QueryParser

        self.searcher = self.ix.searcher()
        self.parser = QueryParser("body", self.ix.schema)

    def run(self, shape: str, q: str, units: list[str], status: str) -> int:
        from whoosh import query as wq
        from whoosh import sorting

        parsed = self.parser.parse(q)
        if shape == "filtered":
            flt = wq.And([wq.Or([wq.Term("unit_id", u) for u in units]), wq.Term("status", status)])
            results = self.searcher.search(parsed, filter=flt, limit=20)
        elif shape == "faceted+hl":
            facets = {name: sorting.FieldFacet(name) for name in ("status", "unit_id", "kind", "channel", "year")}
            results = self.searcher.search(parsed, limit=20, groupedby=facets)
            for name in facets:
                results.groups(name)
            for hit in results:
                hit.highlights("body")
        else:
            results = self.searcher.search(parsed, limit=20)
        return len(results)


# -- ours -------------------------------------------------------------------------------------


class Ours:
    def __init__(self, path: str) -> None:
        self.backend = WhooshBackend(path, WhooshOptions())

    def index(self, docs: list[dict]) -> None:
        self.backend.bulk_index(doc for doc in tqdm(docs, desc="ours index", unit="doc", mininterval=2))

    def open(self) -> None:
        self.backend.doc_count()

    def run(self, shape: str, q: str, units: list[str], status: str) -> int:
        request = SearchRequest(query=q)
        if shape == "filtered":
            request = SearchRequest(query=q, restrict_unit_ids=units, filters={"status": status})
        return self.backend.search(request).total


def make_queries(gen: LetterGenerator, docs: list[dict], per_shape: int, seed: int) -> dict[str, list[tuple]]:
    rng = random.Random(seed)
    shapes: dict[str, list[tuple]] = {k: [] for k in ("single", "two words", "phrase", "filtered", "faceted+hl",
                                                      "zh inside")}

    def sample_words(doc: dict) -> list[str]:
        text = doc["text"][0]
        if any("\u4e00" <= c <= "\u9fff" for c in text[:20]):
            import jieba

            return [w for w in jieba.lcut(text, HMM=False) if len(w) >= 2 and "\u4e00" <= w[0] <= "\u9fff"]
        return [w.strip(".").lower() for w in text.split() if len(w.strip(".")) > 3]

    while min(len(v) for v in shapes.values()) < per_shape:
        doc = rng.choice(docs)
        words = sample_words(doc)
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


def time_queries(engine, queries: dict[str, list[tuple]], label: str) -> dict[str, tuple[float, float]]:
    out = {}
    for shape, items in queries.items():
        for q, units, status in items[:5]:  # warm caches for this shape
            engine.run(shape, q, units, status)
        times = []
        for q, units, status in tqdm(items, desc=f"{label} {shape}", unit="q", mininterval=2, leave=False):
            start = time.perf_counter()
            engine.run(shape, q, units, status)
            times.append((time.perf_counter() - start) * 1000)
        out[shape] = (statistics.median(times), percentile(times, 95))
    return out


def cjk_recall(workdir: str) -> dict[str, tuple[float, float]]:
    """{"before"|"after": (recall, precision)} of the Chinese recall list on a small index of its own."""
    path = os.path.join(workdir, "recall")
    os.makedirs(path, exist_ok=True)
    backend = WhooshBackend(path)
    backend.index_documents(documents())
    before: dict[str, set[str]] = {}
    after: dict[str, set[str]] = {}
    with backend._reading() as view:
        for word, _text in PAIRS:
            node = ("and", [("term", "text", term, True) for term in analyze(word)])
            before[word] = {view.searcher.stored_fields(d)["id"] for d in view.evaluator.docs(node)}
    for word, _text in PAIRS:
        after[word] = {hit.id for hit in backend.search(SearchRequest(query=word, per_page=100)).hits}
    backend.close()
    return {"before": recall_precision(before), "after": recall_precision(after)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="number of letters (default 100000)")
    parser.add_argument("--queries", type=int, default=100, help="queries per shape (default 100)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", help="keep the indexes in this folder")
    args = parser.parse_args(argv)

    workdir = args.keep or tempfile.mkdtemp(prefix="searchbench-")
    os.makedirs(workdir, exist_ok=True)
    try:
        gen = LetterGenerator(args.seed)
        docs = [gen.letter(i) for i in tqdm(range(args.docs), desc="generate", unit="doc", mininterval=2)]
        chars = sum(len(t) for d in docs for t in d["text"])
        queries = make_queries(gen, docs, args.queries, args.seed + 1)
        rows = {}
        loads: dict[str, tuple[float, float]] = {}
        for label, cls in (("baseline", Baseline), ("ours", Ours)):
            path = os.path.join(workdir, label)
            os.makedirs(path, exist_ok=True)
            engine = cls(path)
            load_before = os.getloadavg()[0]
            start = time.perf_counter()
            engine.index(docs)
            index_s = time.perf_counter() - start
            loads[label] = (load_before, os.getloadavg()[0])
            start = time.perf_counter()
            engine.open()
            open_ms = (time.perf_counter() - start) * 1000
            lat = time_queries(engine, queries, label)
            rows[label] = (args.docs / index_s, dir_size_mb(path), open_ms, lat)

        print(f"\n{args.docs} letters, {chars / args.docs:.0f} text chars/letter on average, "
              f"{args.queries} queries per shape, {os.cpu_count()} CPUs")
        print(f"{'':12}{'index docs/s':>14}{'size MB':>10}{'open ms':>10}{'load before/after':>20}")
        for label, (rate, size, open_ms, _) in rows.items():
            load = f"{loads[label][0]:.2f} / {loads[label][1]:.2f}"
            print(f"{label:12}{rate:>14.0f}{size:>10.1f}{open_ms:>10.0f}{load:>20}")
        print("(both indexed by one process with one writer; load = 1-minute load average of the machine)")
        print(f"\n{'latency ms':16}" + "".join(f"{label + ' p50':>16}{label + ' p95':>16}" for label in rows))
        for shape in queries:
            cells = "".join(f"{rows[label][3][shape][0]:>16.1f}{rows[label][3][shape][1]:>16.1f}" for label in rows)
            print(f"{shape:16}{cells}")
        print("\n(ours: exact total + 5 facets over the whole result + highlighted snippets on every shape;"
              " baseline: top 20 only, facets + highlights only on faceted+hl)")
        recall = cjk_recall(workdir)
        print(f"\nChinese recall list ({len(PAIRS)} typed words that jieba cuts differently in the letter):")
        for label, (found, precise) in recall.items():
            print(f"{label:12}recall {found:.2f}   precision {precise:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
