"""Border crossings: the shipped crossings table and the route names that use them.

Each row of ``networks/data/crossings.csv`` is one road crossing with a checkpoint on each side
(``country_a``/``country_b``, ``lat_a``/``lon_a``, ``lat_b``/``lon_b``) and a source for every
value. :mod:`networks.multimodal` turns each row into two checkpoint nodes joined by
``mode="border"`` edges; delay and policy parameters belong to ``logistics``.
"""

from __future__ import annotations

import difflib
import os
from importlib import resources
from pathlib import Path

import pandas as pd

from networks.geo import nearest

#: Shipped crossings table (inside ``networks/data``).
CROSSINGS_FILE = "crossings.csv"

#: Named routes and the crossings they use, in travel order from Thailand towards Viet Nam.
#: Source: project brief (issue 2): R9 = Mukdahan-Savannakhet then Dansavanh-Lao Bao (Lao NR9);
#: R12 = Nakhon Phanom-Thakhek then Na Phao-Cha Lo (Lao NR12); R8 = Nong Khai-Vientiane then
#: Nam Phao-Cau Treo (Lao NR13/NR8).
ROUTE_CROSSINGS: dict[str, tuple[str, ...]] = {
    "R9": ("mukdahan-savannakhet", "dansavanh-lao-bao"),
    "R12": ("nakhon-phanom-thakhek", "na-phao-cha-lo"),
    "R8": ("nong-khai-vientiane", "nam-phao-cau-treo"),
}

_REQUIRED = (
    "crossing_id",
    "name",
    "route",
    "corridor",
    "country_a",
    "country_b",
    "checkpoint_a",
    "checkpoint_b",
    "lat_a",
    "lon_a",
    "lat_b",
    "lon_b",
    "position_source",
)


class CrossingError(ValueError):
    """Unknown crossing or route name."""


def crossings_table() -> pd.DataFrame:
    """The shipped border crossings, one row per crossing, with sources.

    Returns
    -------
    pandas.DataFrame
        Columns ``crossing_id``, ``name``, ``route``, ``corridor``, ``country_a``, ``country_b``,
        ``checkpoint_a``, ``checkpoint_b``, ``lat_a``, ``lon_a``, ``lat_b``, ``lon_b``,
        ``position_source``, ``position_note``, ``name_source``, ``route_source``,
        ``countries_source``.
    """
    path = resources.files("networks") / "data" / CROSSINGS_FILE
    with path.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, keep_default_na=False)
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise CrossingError(f"{CROSSINGS_FILE}: missing columns {missing}")
    for col in ("lat_a", "lon_a", "lat_b", "lon_b"):
        df[col] = df[col].astype(float)
    return df


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("–", "-").replace("_", "-").split())


def resolve_via(via: str, crossings: pd.DataFrame | None = None) -> tuple[str, ...]:
    """Crossing ids a ``via`` argument stands for, in travel order.

    Parameters
    ----------
    via : str
        A route name (``R9``, ``R12``, ``R8``), a crossing id (``mukdahan-savannakhet``) or a
        crossing name (case-insensitive).

    Raises
    ------
    CrossingError
        Unknown name; the message lists the valid names, closest first.
    """
    table = crossings_table() if crossings is None else crossings
    key = _norm(via)
    routes = {r.lower(): ids for r, ids in ROUTE_CROSSINGS.items()}
    if key in routes:
        return routes[key]
    by_name: dict[str, str] = {}
    for row in table.itertuples():
        by_name[_norm(str(row.crossing_id))] = str(row.crossing_id)
        by_name[_norm(str(row.name))] = str(row.crossing_id)
    if key in by_name:
        return (by_name[key],)
    valid = list(ROUTE_CROSSINGS) + [str(c) for c in table["crossing_id"]]
    raise CrossingError(
        f"unknown via {via!r}; valid routes and crossings: {closest_first(via, valid)}"
    )


def closest_first(text: str, names: list[str]) -> str:
    """``names`` as a comma-separated string, the closest matches to ``text`` first."""
    lowered = {n.lower(): n for n in names}
    close = difflib.get_close_matches(text.lower(), list(lowered), n=len(names), cutoff=0.0)
    ordered = [lowered[c] for c in close]
    ordered += [n for n in names if n not in ordered]
    return ", ".join(ordered)


#: A border post farther than this from a checkpoint is not reported as its match, km.
VERIFY_MAX_KM = 10.0


def border_posts(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``barrier=border_control`` nodes of a local OSM file (.osm, .osm.bz2, .osm.pbf).

    Returns
    -------
    pandas.DataFrame
        Columns ``osm_id``, ``lat``, ``lon``, ``name`` (``name`` tag or ``""``).

    Raises
    ------
    FileNotFoundError
        No such file.
    CrossingError
        The file cannot be read as OSM data.
    """
    import osmium

    target = Path(path)
    if not target.is_file():
        raise FileNotFoundError(f"{str(path)!r}: no such OSM file")
    rows = []
    try:
        processor = osmium.FileProcessor(str(target), osmium.osm.NODE).with_filter(
            osmium.filter.TagFilter(("barrier", "border_control"))
        )
        for node in processor:
            if not isinstance(node, osmium.osm.Node):
                continue
            rows.append(
                {
                    "osm_id": int(node.id),
                    "lat": float(node.location.lat),
                    "lon": float(node.location.lon),
                    "name": str(node.tags.get("name", "")),
                }
            )
    except RuntimeError as exc:
        raise CrossingError(f"{str(path)!r}: not a readable OSM file ({exc})") from exc
    return pd.DataFrame(rows, columns=["osm_id", "lat", "lon", "name"])


def verify_crossings(
    path: str | os.PathLike[str], *, max_km: float = VERIFY_MAX_KM
) -> pd.DataFrame:
    """Compare each shipped checkpoint with the nearest OSM ``barrier=border_control`` node.

    Parameters
    ----------
    path : str or path-like
        A local OSM extract covering some crossings.
    max_km : float
        Border posts farther than this from a checkpoint are not matched.

    Returns
    -------
    pandas.DataFrame
        One row per checkpoint with a border post within ``max_km``: ``crossing_id``,
        ``country``, ``lat``, ``lon`` (shipped), ``osm_id``, ``osm_lat``, ``osm_lon``,
        ``osm_name``, ``distance_m``. Use the OSM position to replace the assumption in
        ``crossings.csv`` (with ``position_source`` citing the OSM node).
    """
    posts = border_posts(path)
    cols = [
        "crossing_id",
        "country",
        "lat",
        "lon",
        "osm_id",
        "osm_lat",
        "osm_lon",
        "osm_name",
        "distance_m",
    ]
    rows: list[dict[str, object]] = []
    if posts.empty:
        return pd.DataFrame(rows, columns=cols)
    records = posts.to_dict("records")
    post_lat, post_lon = posts["lat"].to_numpy(float), posts["lon"].to_numpy(float)
    for row in crossings_table().to_dict("records"):
        for side in ("a", "b"):
            lat, lon = float(row[f"lat_{side}"]), float(row[f"lon_{side}"])
            idx, dist = nearest(lat, lon, post_lat, post_lon)
            d, post = float(dist[0]), records[int(idx[0])]
            if d > max_km * 1000:
                continue
            rows.append(
                {
                    "crossing_id": row["crossing_id"],
                    "country": row[f"country_{side}"],
                    "lat": lat,
                    "lon": lon,
                    "osm_id": post["osm_id"],
                    "osm_lat": post["lat"],
                    "osm_lon": post["lon"],
                    "osm_name": post["name"],
                    "distance_m": d,
                }
            )
    return pd.DataFrame(rows, columns=cols)
