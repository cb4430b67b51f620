"""The search backends the search tests run on, from one definition each: Whoosh in a temporary folder and
PostgreSQL full-text search in a table of its own on the throwaway server (marked ``postgres``); and the
documents the backend contract tests index."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from search_index import WhooshBackend
from search_index.postgres_backend import PostgresBackend, PostgresOptions

# The params of every fixture that gives a backend. A test that opens the backend itself runs in the SQLite pass
# only, as those on ``database_url`` do; one whose app comes from ``app_factory`` runs in both database passes.
BACKENDS = ["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)]


def open_test_backend(kind: str, request: pytest.FixtureRequest, tmp_factory: pytest.TempPathFactory,
                      **options: Any) -> PostgresBackend | WhooshBackend:
    """A new, empty backend: a Whoosh folder, or a table of its own in the module's PostgreSQL database."""
    if kind == "whoosh":
        return WhooshBackend(str(tmp_factory.mktemp("index")))
    url = request.getfixturevalue("module_postgres_url")
    return PostgresBackend(url, PostgresOptions(table=f"search_{uuid.uuid4().hex[:12]}", **options))


TEXTS = [
    "The street lights on Main Street are broken and the road is dark at night.",
    "Las calles del barrio están sucias; pedimos la reparación urgente del alumbrado.",
    "小区垃圾清运不及时，楼下噪音扰民，请有关部门尽快处理。",
    "Water pipe leak flooding the basement, please send a plumber.",
]


def make_doc(i: int, **extra: Any) -> dict:
    """Document ``i`` of the contract tests: its fields cycle through kinds, statuses, channels, units, years."""
    doc = {
        "id": f"case-{i}",
        "version": "1",
        "number": f"2025-{i:06d}",
        "kind": ["complaint", "report"][i % 2],
        "category": "city",
        "status": ["open", "dispatched", "closed"][i % 3],
        "channel": ["web", "phone", "email", "paper"][i % 4],
        "unit_id": f"u{i % 3}",
        "unit_name": ["Water Bureau", "Roads Office", "District Xin"][i % 3],
        "urgency": "normal",
        "created": dt.datetime(2023 + i % 3, 1 + i % 12, 1 + i % 28, 9, 0),
        "updated": dt.datetime(2026, 1, 1),
        "title": f"Letter {i}",
        "text": [TEXTS[i % 4], f"Reply number {i}: thank you."],
        "private": [f"Citizen Zhangsan{i}", f"1380013{i:04d}", f"person{i}@example.org"],
    }
    doc.update(extra)
    return doc


DOCS = [make_doc(i) for i in range(36)]


def expected(pred: Callable[[dict], bool]) -> list[dict]:
    """The documents of :data:`DOCS` a search should find."""
    return [d for d in DOCS if pred(d)]


class _RecordingCursor:
    """A psycopg cursor that notes each statement it runs (as SQL text with its parameters) and runs it."""

    def __init__(self, cursor: Any, statements: list[tuple[str, list]]) -> None:
        self._cursor, self._statements = cursor, statements

    def execute(self, query: Any, params: Any = None) -> Any:
        text = query if isinstance(query, str) else query.as_string(self._cursor)
        self._statements.append((text, list(params or [])))
        return self._cursor.execute(query, params)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


@contextmanager
def recorded_statements(backend: PostgresBackend) -> Iterator[list[tuple[str, list]]]:
    """The statements ``backend`` runs on the real server while the block lasts, as ``(sql, params)``, for a
    test to EXPLAIN them."""
    statements: list[tuple[str, list]] = []
    original = backend._transaction

    @contextmanager
    def recording(write: bool = False) -> Iterator[_RecordingCursor]:
        with original(write) as cur:
            yield _RecordingCursor(cur, statements)

    backend._transaction = recording  # type: ignore[method-assign]
    try:
        yield statements
    finally:
        del backend._transaction
