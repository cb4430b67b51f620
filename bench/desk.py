"""Benchmark: the desk answering a call on the spot.

    .venv/bin/python bench/desk.py --articles 10000 --cases 100000

1. Suggestions: ``GET /desk/suggest`` (what the phone form asks while the clerk types) against an app whose
   knowledge base holds N articles (in the database and the article index) and whose case index holds M cases
   (written straight into the index; suggestions read only the index for cases). The queries are the prefixes
   a clerk types, one keystroke at a time, in Chinese, English and Spanish; prints server time p50/p95/max.
2. The keyboard path of a consultation answered directly, in Chromium (Playwright): log-in is not counted;
   from opening the phone form to the saved case page, prints the keys pressed and, per step, the requests the
   browser made and the server time they took.
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert, select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from cases import demo  # noqa: E402
from cases.models import Category, Unit  # noqa: E402
from cases.models_desk import Article  # noqa: E402
from web import create_app  # noqa: E402
from web.auth import hasher  # noqa: E402
from web.tasks.queue import drain  # noqa: E402
from web.knowledge.search import rebuild_articles  # noqa: E402
from web.search_wiring import backend  # noqa: E402
from web.app_state import state  # noqa: E402

ZH_TOPICS = ["公交卡", "老年卡", "居住证", "公积金", "医保", "社保卡", "驾驶证", "停车", "垃圾分类", "噪音", "供暖",
             "户口", "出生证明", "营业执照", "养老金", "学区", "廉租房", "路灯", "自来水", "燃气"]
ZH_ASKS = ["怎么办理", "需要什么材料", "在哪里办", "多久能办好", "收费标准是什么", "可以网上办吗"]
EN_TOPICS = ["bus card", "senior pass", "residence permit", "housing fund", "health insurance", "driving licence",
             "parking permit", "waste sorting", "night noise", "heating", "birth certificate", "business licence",
             "pension", "school enrolment", "public housing", "street light", "water supply", "gas supply"]
ES_TOPICS = ["tarjeta de autobús", "pase de mayores", "permiso de residencia", "seguro médico", "licencia de "
             "conducir", "aparcamiento", "reciclaje", "ruido nocturno", "calefacción", "pensión", "vivienda pública"]
TYPED = ["市民问公交卡怎么办理需要什么材料", "how do I apply for a senior bus pass", "cómo solicito la tarjeta de "
         "autobús para mayores", "噪音扰民晚上施工", "which documents for public housing"]


def make_app(instance: Path) -> object:
    os.environ["MAILBOX_INSTANCE_PATH"] = str(instance)
    # Jobs are queued, not run inside the request (no worker runs): request times are what a clerk waits for.
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "HUEY_IMMEDIATE": False, "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False, "RATELIMIT_STORAGE_URI": "memory://",
                      "DATABASE_URL": f"sqlite:///{instance / 'mailbox.db'}"})
    from cases.db import upgrade

    upgrade(state(app).engine)
    with state(app).sessions() as session:
        demo.load(session, state(app).policy, hasher())
        session.commit()
    drain(app, "index_case")
    drain(app, "index_article")
    return app


def load_articles(app: object, n: int, rng: random.Random) -> None:
    with state(app).sessions() as session:
        categories = list(session.scalars(select(Category.id)))
        units = list(session.scalars(select(Unit.id)))
        now = datetime.now(timezone.utc)
        rows = []
        for i in range(n):
            lang = rng.choice(("zh", "zh", "en", "es"))
            if lang == "zh":
                question = f"{rng.choice(ZH_TOPICS)}{rng.choice(ZH_ASKS)}？（{i}）"
                answer = f"请携带身份证到{rng.choice(ZH_TOPICS)}服务窗口办理，{rng.choice(ZH_ASKS)}请咨询12345。"
            elif lang == "en":
                question = f"How do I apply for a {rng.choice(EN_TOPICS)}? ({i})"
                answer = f"Bring your ID card to the {rng.choice(EN_TOPICS)} counter; the answer comes in 5 days."
            else:
                question = f"¿Cómo solicito {rng.choice(ES_TOPICS)}? ({i})"
                answer = f"Lleve su documento a la oficina de {rng.choice(ES_TOPICS)}; se entrega en el acto."
            rows.append({"lang": lang, "question": question, "answer": answer, "category_id": rng.choice(categories),
                         "unit_id": rng.choice(units), "source": "", "version": 1, "active": True,
                         "review_date": (now + timedelta(days=rng.randint(-10, 400))).date(),
                         "created_at": now, "updated_at": now})
        session.execute(insert(Article), rows)
        session.commit()
    rebuild_articles(app)


def load_cases(app: object, n: int, rng: random.Random) -> None:
    index = backend(app)
    start = datetime(2025, 1, 1)

    def docs():
        for i in range(n):
            topic = rng.choice(ZH_TOPICS + EN_TOPICS + ES_TOPICS)
            yield {"id": str(10_000_000 + i), "version": "1", "number": f"2025-{i:06d}", "kind": "consultation",
                   "status": "closed", "channel": "phone", "unit_id": None, "title": f"{topic} {i}",
                   "created": start + timedelta(minutes=5 * i), "text": [f"{topic} {rng.choice(ZH_ASKS)}",
                                                                         rng.choice(TYPED)]}

    bulk = getattr(index, "bulk_index", None)
    if bulk is not None:
        bulk(docs(), every=5000)
    else:
        batch = []
        for doc in docs():
            batch.append(doc)
            if len(batch) == 2000:
                index.index_documents(batch)
                batch = []
        index.index_documents(batch)


def suggestion_latency(app: object) -> list[float]:
    client = app.test_client()
    client.post("/auth/login", data={"username": "clerk", "password": dict(
        (n, p) for n, _r, _u, p in demo.DEMO_USERS)["clerk"]})
    times = []
    for text in TYPED:
        for end in range(2, len(text) + 1):
            t0 = time.perf_counter()
            response = client.get("/desk/suggest", query_string={"q": text[:end]})
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
    return times


def index_baseline(app: object) -> tuple[list[float], list[float]]:
    """The two index searches behind one suggestion, timed without the web layer: as suggestions ask them (no
    facet counts, stop words left out) and, as the baseline, as the search page would (facets, every word)."""
    from search_index import SearchRequest
    from search_index.analysis import analyze
    from search_index.query import any_words_query
    from web.knowledge.search import article_backend

    ours, baseline = [], []
    cases, articles = backend(app), article_backend(app)
    for text in TYPED:
        for end in range(2, len(text) + 1):
            query = any_words_query(text[:end])
            every = " OR ".join(dict.fromkeys(t for t in analyze(text[:end]) if t.lower() != "or"))
            for out, q, facets in ((ours, query, False), (baseline, every, True)):
                if not q:
                    continue
                t0 = time.perf_counter()
                articles.search(SearchRequest(query=q, per_page=8, facets=facets))
                cases.search(SearchRequest(query=q, per_page=6, facets=facets))
                out.append((time.perf_counter() - t0) * 1000)
    return ours, baseline


def _p95(times: list[float]) -> float:
    times = sorted(times)
    return times[int(0.95 * (len(times) - 1))]


def keyboard_path(app: object) -> None:
    from playwright.sync_api import sync_playwright

    from tests.servers.chromium import CHROMIUM_ARGS, find_chromium

    timings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    step = {"name": "log-in"}
    inner = app.wsgi_app

    def timed(environ, start_response):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return inner(environ, start_response)
        finally:
            timings[step["name"]].append((environ.get("PATH_INFO", ""), (time.perf_counter() - t0) * 1000))

    app.wsgi_app = timed
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    keys = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), headless=True, args=list(CHROMIUM_ARGS))
        page = browser.new_page()
        page.goto(f"{base}/auth/login")
        page.get_by_label("User name").fill("clerk")
        page.get_by_label("Password").fill("clerk-demo-2026")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/desk/")

        def typed(name: str, text: str) -> None:
            nonlocal keys
            step["name"] = name
            page.keyboard.type(text)
            keys += len(text)

        def press(name: str, key: str) -> None:
            nonlocal keys
            step["name"] = name
            page.keyboard.press(key)
            keys += 1

        wall = time.perf_counter()
        # Alt+P opens the form in a browser; Playwright's synthetic keys do not reach access keys, so navigate.
        step["name"] = "open the phone form"
        page.goto(f"{base}/desk/phone")
        keys += 1
        typed("caller's name", "周先生")
        press("caller's name", "Tab")
        typed("phone number (caller history)", "13900000001")
        for _ in range(5):  # kind, category, urgent, major emergency -> summary
            press("to the summary", "Tab")
        typed("summary (suggestions)", "公交卡怎么办理")
        page.locator("#suggested-articles-list li.suggested-article").first.wait_for()
        press("take the first article (Alt+1)", "Alt+1")
        press("save (Tab, Enter)", "Tab")
        press("save (Tab, Enter)", "Enter")
        page.locator("#case-status").wait_for()
        wall = time.perf_counter() - wall
        status = page.locator("#case-status").inner_text()
        browser.close()
    server.shutdown()
    print(f"keyboard path: {keys} key presses (typed characters included), {wall:.2f} s in the browser, "
          f"case {status}")
    for name, requests in timings.items():
        if name == "log-in":
            continue
        pages = [(p, ms) for p, ms in requests if not p.startswith("/static/")]
        total = sum(ms for _p, ms in pages)
        detail = ", ".join(f"{p} {ms:.0f} ms" for p, ms in pages)
        print(f"  {name:<32} {total:7.1f} ms server  ({detail})")


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    rng = random.Random(17)
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        t0 = time.perf_counter()
        load_articles(app, args.articles, rng)
        print(f"{args.articles} articles stored and indexed in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        load_cases(app, args.cases, rng)
        print(f"{args.cases} cases indexed in {time.perf_counter() - t0:.1f} s; load average {os.getloadavg()}")
        suggestion_latency(app)  # warm caches and the dictionary
        times = sorted(suggestion_latency(app))
        print(f"suggestions: {len(times)} requests, server time p50 {statistics.median(times):.1f} ms, "
              f"p95 {_p95(times):.1f} ms, max {times[-1]:.1f} ms")
        ours, baseline = index_baseline(app)
        print(f"  index searches per suggestion: p50 {statistics.median(ours):.1f} ms, p95 {_p95(ours):.1f} ms; "
              f"baseline with facets and every word: p50 {statistics.median(baseline):.1f} ms, "
              f"p95 {_p95(baseline):.1f} ms; load average {os.getloadavg()}")
        if not args.no_browser:
            keyboard_path(app)


if __name__ == "__main__":
    main()
