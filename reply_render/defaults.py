"""The shipped default templates: one per purpose and language in ``templates/letters/<purpose>.<lang>.txt``."""
from __future__ import annotations

from pathlib import Path

from reply_render.errors import UnknownTemplate
from reply_render.render import LANGUAGES

PURPOSES: tuple[str, ...] = ("acknowledgement", "reply", "return_notice", "merged_duplicate",
                             "satisfaction_request")
DEFAULT_TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates" / "letters"


def default_template(purpose: str, lang: str, *, templates_dir: Path = DEFAULT_TEMPLATES_DIR) -> str:
    """The shipped template source for ``purpose`` in ``lang``; ``UnknownTemplate`` if there is none."""
    if purpose not in PURPOSES:
        raise UnknownTemplate(f"unknown letter purpose {purpose!r}; expected one of {', '.join(PURPOSES)}")
    if lang not in LANGUAGES:
        raise UnknownTemplate(f"unknown letter language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    path = Path(templates_dir) / f"{purpose}.{lang}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise UnknownTemplate(f"no default template {path.name}: {error.strerror}") from error


def default_templates(*, templates_dir: Path = DEFAULT_TEMPLATES_DIR) -> dict[tuple[str, str], str]:
    """Every shipped template keyed by (purpose, lang)."""
    return {(p, lang): default_template(p, lang, templates_dir=templates_dir)
            for p in PURPOSES for lang in LANGUAGES}
