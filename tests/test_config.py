"""One settings object: every key the code reads is declared once in web/config.py with its default, checked at
start-up, and documented in docs/configuration.md, which is generated from the declarations."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import make_app
from web import config
from web.config import ConfigError, declared

ROOT = Path(__file__).resolve().parent.parent
# Keys Flask or its extensions define themselves.
FRAMEWORK_KEYS = {"SECRET_KEY", "TESTING", "REMEMBER_COOKIE_NAME", "WTF_CSRF_FIELD_NAME", "WTF_CSRF_ENABLED",
                  "SERVER_NAME", "PREFERRED_URL_SCHEME", "APPLICATION_ROOT"}
READ = re.compile(r"""(?:config|cfg|app\.config)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_key_the_code_reads_is_declared_once() -> None:
    read = set()
    for folder in ("web", "cases", "mailbox", "search_index", "letter_ocr"):
        for path in (ROOT / folder).rglob("*.py"):
            read |= set(READ.findall(path.read_text(encoding="utf-8")))
    assert read, "the scan found no configuration reads"
    assert sorted(read - set(declared()) - FRAMEWORK_KEYS) == []
    source = (ROOT / "web" / "config.py").read_text(encoding="utf-8")
    for name in declared():
        assert len(re.findall(rf"^    {name}\b\s*(?::[^=]+)?=", source, flags=re.M)) == 1, name


def test_the_settings_reference_is_generated_from_the_declarations() -> None:
    reference = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert reference == config.reference(), "run: python -m web.config > docs/configuration.md"
    assert all(f"`FLASK_{name}`" in reference for name in declared())
    assert "docs/configuration.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def _refused(tmp_path: Path, **settings: object) -> str:
    instance = tmp_path / f"instance{len(list(tmp_path.iterdir()))}"
    instance.mkdir()
    with pytest.raises(ConfigError) as refused:
        make_app(instance, f"sqlite:///{instance / 'never.db'}", **settings)
    assert not (instance / "never.db").exists()  # refused before anything was made
    return str(refused.value)


def test_a_setting_of_the_wrong_kind_stops_the_app_with_its_name(tmp_path: Path) -> None:
    assert re.search(r"DISPATCH_DAYS must be int.*'three'.*MAIL_ACKNOWLEDGE must be bool",
                     _refused(tmp_path, DISPATCH_DAYS="three", MAIL_ACKNOWLEDGE="yes"))
    assert "HOLIDAYS must be list" in _refused(tmp_path, HOLIDAYS="2026-10-01")


def test_environment_values_are_read_as_json_and_numbers_may_stand_for_text(app_factory, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FLASK_DISPATCH_DAYS", "2")
    monkeypatch.setenv("FLASK_SMS_FROM", "12345")
    monkeypatch.setenv("FLASK_SEARCH_WRITER_TIMEOUT", "5")
    app: Flask = app_factory()
    assert app.config["DISPATCH_DAYS"] == 2 and app.config["SMS_FROM"] == "12345"
    assert app.config["SEARCH_WRITER_TIMEOUT"] == 5
    monkeypatch.setenv("FLASK_OCR_WORKERS", "many")
    assert "OCR_WORKERS must be int" in _refused(tmp_path)
