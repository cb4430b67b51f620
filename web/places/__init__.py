"""Places in the app: the administrators' areas and address list, the supervisors' case map, the public areas
layer the letter form's pin map draws, and the surge check run by the worker."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.wrappers import Response

from web.places.views import bp

__all__ = ["bp", "init_app"]
MAP_ENDPOINTS = frozenset({"public.write", "places.case_map"})


def tile_origin(url: str) -> str:
    """The scheme and host of a tile URL template (``https://tiles.example/{z}/{x}/{y}.png``), for the CSP."""
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc.split(".", 1)[1] if "{s}" in url and "." in parts.netloc else parts.netloc
    return f"{parts.scheme}://*.{host}" if "{s}" in url else f"{parts.scheme}://{host}"


def init_app(app: Flask) -> None:
    from web.places import surge_wiring
    from web.security import CSP

    origin = tile_origin(app.config["MAP_TILE_URL"]) if app.config["MAP_TILE_URL"] else ""
    if origin:
        map_csp = CSP.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")

        @app.after_request
        def _allow_tiles(response: Response) -> Response:
            # Only the pages that draw a map load images from the tile server.
            if request.endpoint in MAP_ENDPOINTS:
                response.headers["Content-Security-Policy"] = map_csp
            return response

    surge_wiring.init_app(app)
