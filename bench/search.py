"""Benchmark: one search backend (Whoosh or PostgreSQL) at N letters, optionally against bare Whoosh.

    nice -n 10 .venv/bin/python bench/search.py --docs 100000 [--backend whoosh|postgres] [--no-baseline]

Streams N deterministic letters (English, Spanish, Chinese, some mixed; see ``bench/search_letters.py``)
into the backend with a progress bar, as a rebuild does (``bulk_index``): Whoosh in one process, one writer,
one commit; PostgreSQL with the vectors built in one process per CPU and the rows COPYed into a throwaway
server of its own (or ``--pg-url``), then VACUUM ANALYZE. The baseline is bare Whoosh (StandardAnalyzer
schema, one writer). Then it times the same query shapes on each and prints docs/s (letter generation left out), index size and, per shape, the
latency p50/p95 and the CPU time per query (for PostgreSQL the server process's CPU included). On a shared
machine wall times follow the load, so the load average is printed before and after each phase; CPU time
is the figure the other users disturb least. Ours always returns the total, all five facets and highlighted
snippets (PostgreSQL counts exactly up to its bound and estimates beyond it, from a sample; the number of
estimated answers per shape is printed); the baseline does the least each shape needs. The shape "zh inside" types three
Chinese characters taken from inside a letter, wherever jieba cut them (found through the CJK fallback field).

It also prints the recall and precision of the Chinese recall list (``tests/cjk_recall.py``: typed words
that jieba cuts differently in the letter) with the word alone ("before": the text field's word terms,
what the index matched without the fallback field) and with the full query ("after").
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tqdm import tqdm  # noqa: E402

from bench.search_engines import Baseline, PostgresEngine, WhooshEngine, cjk_recall  # noqa: E402
from bench.search_letters import LetterStream, make_queries, percentile, sample_indices  # noqa: E402
from search_index import WhooshBackend  # noqa: E402
from tests.cjk_recall import PAIRS  # noqa: E402

QUERY_SAMPLE = 40  # letters kept per query and shape, to draw the queries from


def load() -> float:
    return os.getloadavg()[0]


def build_cpu_s() -> float:
    """CPU seconds of this process and of its finished child processes (the PostgreSQL build's workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def time_queries(engine, queries: dict[str, list[tuple]]) -> dict[str, tuple[float, ...]]:
    """{shape: (p50 ms, p95 ms, CPU ms per query: mean, p95, load average after, queries answered with
    estimated counts)}."""
    out = {}
    for shape, items in queries.items():
        for q, units, status in items[:5]:  # warm caches for this shape
            engine.run(shape, q, units, status)
        estimates_before = getattr(engine, "estimates", 0)
        times, cpu = [], []
        for q, units, status in tqdm(items, desc=f"{engine.label} {shape}", unit="q", mininterval=2, leave=False):
            cpu_start = engine.cpu_s()
            start = time.perf_counter()
            engine.run(shape, q, units, status)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((engine.cpu_s() - cpu_start) * 1000)
        out[shape] = (statistics.median(times), percentile(times, 95), statistics.mean(cpu), percentile(cpu, 95),
                      load(), getattr(engine, "estimates", 0) - estimates_before)
    return out


def postgres_url(args: argparse.Namespace, stack: ExitStack) -> str:
    """``--pg-url``, or a database on a throwaway server (with its durability settings) for this run."""
    if args.pg_url:
        return args.pg_url
    from tests.servers.postgres import create_database, running_postgres

    server = stack.enter_context(running_postgres(durable=True))
    return create_database(server, "searchbench")


def recall(args: argparse.Namespace, workdir: str, url: str | None) -> dict[str, tuple[float, float]]:
    if args.backend == "postgres":
        from search_index.postgres_backend import PostgresBackend, PostgresOptions

        backend = PostgresBackend(url, PostgresOptions(table="searchbench_recall"))
        backend.clear()
    else:
        path = os.path.join(workdir, "recall")
        os.makedirs(path, exist_ok=True)
        backend = WhooshBackend(path)
    try:
        return cjk_recall(backend)
    finally:
        backend.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="number of letters (default 100000)")
    parser.add_argument("--queries", type=int, default=100, help="queries per shape (default 100)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="whoosh")
    parser.add_argument("--pg-url", help="PostgreSQL database for --backend postgres (default: a throwaway server)")
    parser.add_argument("--no-baseline", action="store_true", help="skip bare Whoosh (slow at a million letters)")
    parser.add_argument("--keep", help="keep the Whoosh indexes and the letters the queries are drawn from in this "
                        "folder")
    parser.add_argument("--reuse", action="store_true", help="time the queries on the index an earlier run with the "
                        "same --docs, --seed and --keep built (Whoosh: in --keep; PostgreSQL: at --pg-url), without "
                        "building it again")
    args = parser.parse_args(argv)
    if args.reuse and not (args.keep and args.no_baseline and (args.backend == "whoosh" or args.pg_url)):
        parser.error("--reuse needs --keep, --no-baseline and, for PostgreSQL, --pg-url")

    workdir = args.keep or tempfile.mkdtemp(prefix="searchbench-")
    os.makedirs(workdir, exist_ok=True)
    with ExitStack() as stack:
        if not args.keep:
            stack.callback(shutil.rmtree, workdir, True)
        url = postgres_url(args, stack) if args.backend == "postgres" else None
        print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        letters = LetterStream(args.docs, args.seed, sample_indices(args.docs, QUERY_SAMPLE * args.queries,
                                                                     args.seed + 2))
        engines = [] if args.no_baseline else [lambda: Baseline(_folder(workdir, "baseline"))]
        engines.append((lambda: PostgresEngine(url, empty=not args.reuse)) if args.backend == "postgres"
                       else (lambda: WhooshEngine(_folder(workdir, "whoosh"))))
        rows, queries, chars = {}, None, 0
        for make in engines:
            engine = make()
            load_before, cpu_before = load(), build_cpu_s()
            start = time.perf_counter()
            if args.reuse:
                reuse_letters(letters, workdir, args)
            else:
                engine.index(letters, args.docs)
                if args.keep:
                    save_letters(letters, workdir, args)
            index_s = time.perf_counter() - start - letters.generate_s
            index_cpu = build_cpu_s() - cpu_before - letters.generate_cpu_s
            load_after = load()
            if queries is None:
                queries = make_queries(letters.kept, args.queries, args.seed + 1)
                chars = sum(len(t) for d in letters.kept for t in d["text"]) / max(1, len(letters.kept))
            start = time.perf_counter()
            engine.open()
            open_ms = (time.perf_counter() - start) * 1000
            lat = time_queries(engine, queries)
            rate = float("nan") if args.reuse else args.docs / index_s
            rows[engine.label] = (rate, index_cpu, engine.size_mb(), open_ms, load_before,
                                  load_after, lat)
            engine.close()

        print(f"\n{args.docs} letters, about {chars:.0f} text chars/letter, {args.queries} queries per shape, "
              f"{os.cpu_count()} CPUs, nice {os.nice(0)}")
        print(f"{'':10}{'index docs/s':>13}{'client CPU s':>13}{'size MB':>10}{'open ms':>9}{'load before/after':>19}")
        for label, (rate, cpu, size, open_ms, lb, la, _) in rows.items():
            print(f"{label:10}{rate:>13.0f}{cpu:>13.0f}{size:>10.0f}{open_ms:>9.0f}{f'{lb:.2f} / {la:.2f}':>19}")
        print("(docs/s: wall time without letter generation; client CPU: this process's and its workers',"
              " without generation; load = the machine's 1-minute load average)")
        print(f"\n{'ms':12}" + "".join(f"{label[:8] + ' p50':>13}{label[:8] + ' p95':>13}{'CPU mean':>9}"
                                       f"{'CPU p95':>9}" for label in rows) + f"{'load':>7}{'estimated':>10}")
        for shape in queries:
            cells = "".join("".join(f"{x:>{w}.1f}" for x, w in zip(rows[label][6][shape][:4], (13, 13, 9, 9)))
                            for label in rows)
            ours = rows[list(rows)[-1]][6][shape]
            print(f"{shape:12}{cells}{ours[4]:>7.2f}{ours[5]:>10}")
        print("(CPU: CPU time per query, this process plus the PostgreSQL server process serving it, in steps of"
              " the kernel's clock tick there; load after each shape)")
        print("(ours: total + 5 facets over the whole result + highlighted snippets on every shape, the counts exact"
              " up to the backend's bound and beyond it estimated from a sample (PostgreSQL; 'estimated': how many"
              f" of the {args.queries} queries); baseline: top 20 only, facets + highlights only on faceted+hl)")
        found = recall(args, workdir, url)
        print(f"\nChinese recall list on {args.backend} ({len(PAIRS)} typed words that jieba cuts differently):")
        for label, (hit, precise) in found.items():
            print(f"{label:12}recall {hit:.2f}   precision {precise:.2f}")
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _letters_file(workdir: str, args: argparse.Namespace) -> str:
    return os.path.join(workdir, f"letters-{args.docs}-{args.seed}-{args.queries}.pickle")


def save_letters(letters: LetterStream, workdir: str, args: argparse.Namespace) -> None:
    """Keep the letters the queries are drawn from, so ``--reuse`` need not generate the whole stream again."""
    with open(_letters_file(workdir, args), "wb") as fh:
        pickle.dump(letters.kept, fh)


def reuse_letters(letters: LetterStream, workdir: str, args: argparse.Namespace) -> None:
    """The kept letters of the run that built the index: from its file, else generated again."""
    start = time.perf_counter()
    try:
        with open(_letters_file(workdir, args), "rb") as fh:
            letters.kept = pickle.load(fh)
    except FileNotFoundError:
        for _ in tqdm(letters, desc="regenerate", unit="doc", mininterval=2):
            pass
    letters.generate_s = time.perf_counter() - start


def _folder(workdir: str, name: str) -> str:
    path = os.path.join(workdir, name)
    os.makedirs(path, exist_ok=True)
    return path


if __name__ == "__main__":
    main()
