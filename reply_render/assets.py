"""Where the bundled letter assets (stylesheet, crest) live and how a letter refers to them."""
from __future__ import annotations

from pathlib import Path

ASSET_SCHEME = "letter-asset:"
DEFAULT_ASSETS_DIR = Path(__file__).resolve().parents[1] / "static" / "letters"
