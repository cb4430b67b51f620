"""The code's shape stays as the design asks: small modules with one job (none over 400 lines), views of a few
lines over a ``cases`` service (no Flask view body over 22 lines), and ``cases/`` never importing Flask or ``web``.

Read from the source with :mod:`ast`; no module is imported, so the test costs a few hundred milliseconds."""
from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400
MAX_VIEW_LINES = 22
SKIPPED_DIRS = {".venv", "migrations", "node_modules", "instance", "__pycache__"}
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}  # Flask's and its blueprints' shortcuts


def project_modules(root: Path = ROOT) -> Iterator[Path]:
    """Every Python module of the project, outside the virtualenv, the migrations and hidden folders."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        yield from (Path(folder) / name for name in sorted(files) if name.endswith(".py"))


def is_view(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``function`` is a Flask view: decorated with ``<app or blueprint>.route/get/post/...``."""
    for decorator in function.decorator_list:
        called = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(called, ast.Attribute) and called.attr in ROUTE_DECORATORS:
            return True
    return False


def body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The lines of ``function``'s body from its first statement after the docstring to the end of its last
    (comments and blank lines between them count)."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    if not body:
        return 0
    return (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1


def views(source: str) -> Iterator[tuple[str, int]]:
    """(name, body lines) of every view defined in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_view(node):
            yield node.name, body_lines(node)


def imported_modules(source: str) -> Iterator[str]:
    """The top-level package names ``source`` imports (absolute imports)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module.split(".")[0]


def test_no_module_is_over_400_lines() -> None:
    long = {str(path.relative_to(ROOT)): n for path in project_modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}, f"split these modules into ones with one job each (at most {MAX_MODULE_LINES} lines)"


def test_no_view_is_over_22_lines() -> None:
    found, long = 0, {}
    for path in project_modules():
        for name, lines in views(path.read_text(encoding="utf-8")):
            found += 1
            if lines > MAX_VIEW_LINES:
                long[f"{path.relative_to(ROOT)}:{name}"] = lines
    assert found > 100, "the views were not found: has the way they are declared changed?"
    assert long == {}, (f"a view is a few lines over a cases service (at most {MAX_VIEW_LINES}): move domain work "
                        "into cases/ and form or response plumbing into helpers")


def test_the_domain_imports_neither_flask_nor_the_web_app() -> None:
    wrong = {str(path.relative_to(ROOT)): sorted(names) for path in project_modules(ROOT / "cases")
             if (names := set(imported_modules(path.read_text(encoding="utf-8"))) & {"flask", "web", "flask_babel",
                                                                                    "flask_login", "flask_wtf"})}
    assert wrong == {}


VIEWS = '''
from flask import Blueprint
bp = Blueprint("x", __name__)

@bp.route("/a")
def short():
    """A docstring of
    several lines, which does not count."""
    return "a"

@bp.get("/b")
@other_decorator
def long():
''' + "".join(f"    x{i} = {i}\n" for i in range(22)) + '''    # a comment inside the body counts
    return "b"

def helper():
''' + "".join(f"    y{i} = {i}\n" for i in range(40)) + '''

@app.post("/c")
async def empty():
    """Only a docstring."""
'''


def test_the_view_counter_finds_views_and_counts_their_bodies() -> None:
    assert dict(views(VIEWS)) == {"short": 1, "long": 24, "empty": 0}


@pytest.mark.parametrize("source, packages", [
    ("import flask\nfrom web.app_state import db\nfrom . import sibling\n", ["flask", "web"]),
    ("from cases.models import Case\nimport sqlalchemy.orm\n", ["cases", "sqlalchemy"]),
])
def test_the_import_reader_names_top_level_packages(source: str, packages: list[str]) -> None:
    assert sorted(imported_modules(source)) == packages


def test_the_module_walk_skips_the_virtualenv_and_migrations(tmp_path: Path) -> None:
    for name in ("app.py", ".venv/lib/big.py", "cases/migrations/versions/0001_x.py", "pkg/mod.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    assert [str(p.relative_to(tmp_path)) for p in project_modules(tmp_path)] == ["app.py", "pkg/mod.py"]
