"""A small made-up city for the places tests: two districts side by side, a street office inside the eastern one,
and a few listed addresses (longitude, latitude near 121.4, 31.2)."""
from __future__ import annotations

import json
from typing import Any


def square(lon: float, lat: float, size: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                [lon, lat + size], [lon, lat]]]}


def feature(name: str, geometry: dict[str, Any], kind: str = "district", unit: str = "") -> dict[str, Any]:
    return {"type": "Feature", "properties": {"name": name, "kind": kind, "unit": unit}, "geometry": geometry}


def city_geojson() -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        feature("West", square(121.40, 31.20, 0.1), unit="Western District"),
        feature("East", square(121.50, 31.20, 0.1), unit="Eastern District"),
        feature("Harbour Street", square(121.55, 31.25, 0.02), kind="street"),  # no unit: East's is proposed
    ]})


ADDRESSES_CSV = """address,lat,lon
北京路12号,31.2550,121.5550
Elm Street 5,31.2100,121.4200
Elm Street,31.2150,121.4300
"""
IN_HARBOUR = (31.26, 121.56)
IN_WEST = (31.25, 121.45)
OUTSIDE = (30.0, 120.0)
