"""Benchmark: placing cases.

    .venv/bin/python bench/places.py --areas 400 --vertices 200 --points 100000 --addresses 20000

1. Point-in-area: ``AreaIndex.locate`` (an STRtree of the areas' boxes, then prepared polygons) against the
   baseline of testing every prepared polygon in turn, over the same random points; prints lookups per second
   and checks both give the same area for every point.
2. Addresses: with N listed addresses in a SQLite database, the time to load the list (kept by each process
   until the list changes), to match a typed address and to search a letter's text for a listed address
   (``cases.geocode``); prints p50/p95 in milliseconds.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import shapely  # noqa: E402
from shapely.geometry import Point, mapping  # noqa: E402
from shapely.geometry import Polygon  # noqa: E402

from cases import geocode  # noqa: E402
from cases.areas import AreaIndex  # noqa: E402
from cases.db import make_engine, make_session_factory  # noqa: E402
from cases.models import Base  # noqa: E402


def _areas(count: int, vertices: int) -> list[tuple[int, dict]]:
    """A grid of roughly round areas (``vertices`` points each) tiling a city-sized box."""
    side = math.ceil(math.sqrt(count))
    step = 0.5 / side
    out = []
    for n in range(count):
        cx, cy = 121.2 + (n % side + 0.5) * step, 31.0 + (n // side + 0.5) * step
        ring = [(cx + step * 0.5 * math.cos(2 * math.pi * k / vertices) * (1 + 0.3 * math.sin(5 * k / vertices)),
                 cy + step * 0.5 * math.sin(2 * math.pi * k / vertices)) for k in range(vertices)]
        out.append((n + 1, mapping(Polygon(ring).buffer(0))))
    return out


def bench_points(areas: list[tuple[int, dict]], points: int) -> None:
    index = AreaIndex(areas)
    rng = random.Random(7)
    spots = [(rng.uniform(31.0, 31.5), rng.uniform(121.2, 121.7)) for _ in range(points)]
    start = time.perf_counter()
    found = [index.locate(lat, lon) for lat, lon in spots]
    tree = time.perf_counter() - start
    start = time.perf_counter()
    naive = []
    for lat, lon in spots:
        point = Point(lon, lat)
        hits = [i for i, geom in enumerate(index.shapes) if shapely.intersects(geom, point)]
        naive.append(index.ids[min(hits, key=lambda i: (index.shapes[i].area, i))] if hits else None)
    loop = time.perf_counter() - start
    assert found == naive, "the index and the loop disagree"
    print(f"point-in-area, {len(areas)} areas, {points} points: STRtree+prepared {points / tree:,.0f}/s; "
          f"baseline loop over prepared polygons {points / loop:,.0f}/s; same answers: yes")


def bench_addresses(count: int, tries: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        Base.metadata.create_all(engine)
        sessions = make_session_factory(engine)
        rng = random.Random(3)
        streets = ["北京路", "南京路", "Elm Street", "Calle Mayor", "人民大道", "Harbour Road", "延安路", "淮海路"]
        rows = [(f"{streets[n % len(streets)]}{n // len(streets) + 1}号" if n % 2 else
                 f"{streets[n % len(streets)]} {n // len(streets) + 1}", rng.uniform(31, 31.5), rng.uniform(121, 122))
                for n in range(count)]
        with sessions() as session:
            geocode.save_addresses(session, rows)
            session.commit()
            loads, typed, letters = [], [], []
            for _ in range(tries):
                start = time.perf_counter()
                book = geocode.AddressBook.load(session)  # once per change of the list (cases.case_places)
                loads.append((time.perf_counter() - start) * 1000)
                address = rng.choice(rows)[0]
                start = time.perf_counter()
                assert book.match(address) is not None
                typed.append((time.perf_counter() - start) * 1000)
                text = f"您好，{address}门口的路灯坏了一个星期，晚上很黑，请尽快修理。The street light is out."
                start = time.perf_counter()
                assert book.find_in(text) is not None
                letters.append((time.perf_counter() - start) * 1000)
        engine.dispose()

    def p(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1]

    print(f"addresses, {count} listed (SQLite): loading the list (once per change) p50 {p(loads, 50):.1f} ms; "
          f"typed address p50 {p(typed, 50):.2f} ms p95 {p(typed, 95):.2f} ms; "
          f"letter text p50 {p(letters, 50):.2f} ms p95 {p(letters, 95):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=400)
    parser.add_argument("--vertices", type=int, default=200)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--addresses", type=int, default=20_000)
    parser.add_argument("--tries", type=int, default=200)
    args = parser.parse_args()
    bench_points(_areas(args.areas, args.vertices), args.points)
    bench_addresses(args.addresses, args.tries)


if __name__ == "__main__":
    main()
