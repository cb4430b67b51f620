"""The only way the PDF renderer may load anything: our bundled letter assets and data we generated."""
from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import Iterable

from weasyprint.urls import URLFetcher, URLFetcherResponse

from reply_render.assets import ASSET_SCHEME, DEFAULT_ASSETS_DIR


class AssetFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves ``letter-asset:<name>`` from one folder and nothing else.

    ``file:``, ``http(s):`` and every other scheme are refused, and so are ``data:`` URLs we did not
    generate ourselves for this letter (``allowed_data``). ``requested`` records every URL asked for and
    ``refused`` the ones turned down, so tests and logs can see what a letter tried to load.
    """

    def __init__(self, assets_dir: Path = DEFAULT_ASSETS_DIR, allowed_data: Iterable[str] = ()) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False, timeout=1)
        self.assets_dir = Path(assets_dir).resolve()
        self.allowed_data = set(allowed_data)
        self.requested: list[str] = []
        self.refused: list[str] = []

    def allow_data(self, url: str) -> None:
        """Accept one generated ``data:`` URL (e.g. the QR code image)."""
        self.allowed_data.add(url)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        self.requested.append(url)
        if url.startswith("data:") and url in self.allowed_data:
            mime = url[5:].split(";", 1)[0].split(",", 1)[0] or "text/plain"
            payload = url.split(",", 1)[1]
            body = base64.b64decode(payload) if ";base64" in url.split(",", 1)[0] else payload.encode()
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        if url.startswith(ASSET_SCHEME):
            path = self._asset_path(url[len(ASSET_SCHEME):])
            if path is not None:
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        self.refused.append(url)
        raise ValueError(f"letter PDFs load only bundled assets; refused {url[:80]!r}")

    def _asset_path(self, name: str) -> Path | None:
        name = name.lstrip("/")
        if not name or "\\" in name or any(part in ("", ".", "..") for part in name.split("/")):
            return None
        path = (self.assets_dir / name).resolve()
        if self.assets_dir not in path.parents or not path.is_file():
            return None
        return path
