"""Gazetteer: the places a user names (cities, industrial estates, ports, crossings) or coordinates.

Cities and industrial estates come from ``networks/data/places.csv`` (each with a ``source``),
ports from :func:`networks.sea.ports_table`, crossings from
:func:`networks.borders.crossings_table`.
:func:`resolve_place` turns a name (case- and diacritic-insensitive, with aliases) or a
``LAT,LON`` string in decimal degrees into a :class:`~networks.types.Place`.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import pandas as pd

from networks.borders import crossings_table
from networks.sea import ports_table
from networks.types import Place

#: Shipped gazetteer of cities and industrial estates (inside ``networks/data``).
PLACES_FILE = "places.csv"

#: Kinds of places, in the order a shared name is resolved (a city beats a port of the same name).
PLACE_KINDS = ("city", "industrial", "port", "crossing", "coordinates")

_COORD_RE = re.compile(
    r"^\s*(?P<lat>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*[,;\s]\s*(?P<lon>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*$"
)


class PlaceError(ValueError):
    """A place name that is not in the gazetteer, or invalid coordinates."""


def normalize_name(text: str) -> str:
    """Lower-case, strip diacritics (``Hà Nội`` -> ``ha noi``) and punctuation, collapse spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", ascii_text.lower()).split())


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """``(lat, lon)`` from ``"LAT,LON"`` decimal degrees, ``None`` if ``text`` is not that shape.

    Raises
    ------
    PlaceError
        The text has the shape of coordinates but a value is out of range
        (lat in [-90, 90], lon in [-180, 180]).
    """
    match = _COORD_RE.match(text)
    if match is None:
        return None
    lat, lon = float(match["lat"]), float(match["lon"])
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise PlaceError(f"latitude {lat!r} in {text!r} is out of range; allowed: -90 to 90")
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise PlaceError(f"longitude {lon!r} in {text!r} is out of range; allowed: -180 to 180")
    return lat, lon


def _read_places_csv() -> pd.DataFrame:
    with (resources.files("networks") / "data" / PLACES_FILE).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, keep_default_na=False)


def gazetteer() -> pd.DataFrame:
    """Every named place: cities, industrial estates, ports and crossings.

    Returns
    -------
    pandas.DataFrame
        Columns ``place_id``, ``name``, ``kind``, ``country``, ``lat``, ``lon``, ``aliases``
        (``;``-separated) and ``source``. A crossing's position is the midpoint of its two
        checkpoints and its country is ``""`` (it lies on a border).
    """
    places = _read_places_csv()
    ports = ports_table()
    crossings = crossings_table()
    port_rows = pd.DataFrame(
        {
            "place_id": ports["port_id"],
            "name": ports["name"],
            "kind": "port",
            "country": ports["country"],
            "lat": ports["lat"],
            "lon": ports["lon"],
            "aliases": ports["aliases"].fillna("") + ";" + ports["locode"],
            "source": ports["position_source"],
        }
    )
    crossing_rows = pd.DataFrame(
        {
            "place_id": crossings["crossing_id"],
            "name": crossings["name"],
            "kind": "crossing",
            "country": "",
            "lat": (crossings["lat_a"] + crossings["lat_b"]) / 2,
            "lon": (crossings["lon_a"] + crossings["lon_b"]) / 2,
            "aliases": crossings["checkpoint_a"] + ";" + crossings["checkpoint_b"],
            "source": crossings["position_source"],
        }
    )
    out = pd.concat([places, port_rows, crossing_rows], ignore_index=True)
    out["lat"] = out["lat"].astype(float)
    out["lon"] = out["lon"].astype(float)
    return out


@cache
def _index() -> tuple[MappingProxyType[str, Place], tuple[str, ...], MappingProxyType[str, Place]]:
    """Normalized name -> Place (first kind in :data:`PLACE_KINDS` wins), display names, and
    exact id -> Place (ids are matched before names, so ``hai-phong`` is the port)."""
    table = gazetteer()
    table = table.assign(_rank=table["kind"].map(PLACE_KINDS.index)).sort_values(
        "_rank", kind="stable"
    )
    index: dict[str, Place] = {}
    ids: dict[str, Place] = {}
    display: list[str] = []
    for row in table.to_dict("records"):
        place = Place(
            name=str(row["name"]),
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            country=str(row["country"]),
            kind=str(row["kind"]),
            place_id=str(row["place_id"]),
        )
        display.append(place.name)
        ids.setdefault(place.place_id.lower(), place)
        keys = [place.name, place.place_id, *str(row["aliases"]).split(";")]
        for key in keys:
            norm = normalize_name(key)
            if norm and norm not in index:
                index[norm] = place
    return MappingProxyType(index), tuple(display), MappingProxyType(ids)


def place_names() -> list[str]:
    """Display names of every place in the gazetteer."""
    return list(_index()[1])


def resolve_place(text: Any) -> Place:
    """A :class:`~networks.types.Place` from a name, an alias, ``"LAT,LON"`` or a Place.

    Parameters
    ----------
    text : str or Place
        ``"Bangkok"``, ``"ha noi"``, ``"laem-chabang"``, ``"13.75,100.50"``... An exact place,
        port or crossing id matches first; then names and aliases, ignoring case, diacritics and
        punctuation. When a name is shared, a city wins over an industrial estate, a port and a
        crossing (``"Hai Phong"`` is the city, ``"hai-phong"`` or ``"VNHPH"`` the port).

    Raises
    ------
    PlaceError
        Empty or unknown name (the message lists the closest names first) or coordinates out of
        range.
    """
    if isinstance(text, Place):
        return text
    if not isinstance(text, str):
        raise PlaceError(f"place {text!r} must be a name or 'LAT,LON' string")
    if not text.strip():
        raise PlaceError("place is empty; give a name (e.g. 'Bangkok') or 'LAT,LON'")
    coords = parse_coordinates(text)
    if coords is not None:
        from networks.countries import country_of

        lat, lon = coords
        return Place(
            name=f"{lat:g},{lon:g}",
            lat=lat,
            lon=lon,
            country=country_of(lat, lon),
            kind="coordinates",
            place_id="",
        )
    index, display, ids = _index()
    if text.strip().lower() in ids:
        return ids[text.strip().lower()]
    norm = normalize_name(text)
    if norm in index:
        return index[norm]
    by_norm = {normalize_name(n): n for n in display}
    close = difflib.get_close_matches(norm, list(by_norm), n=8, cutoff=0.0)
    suggestions = ", ".join(by_norm[c] for c in close)
    raise PlaceError(
        f"unknown place {text!r}; closest names: {suggestions} "
        "(or give coordinates as 'LAT,LON' in decimal degrees)"
    )
