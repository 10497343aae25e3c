"""Geography shared by every stage: great-circle distance, time zones, time parsing, access legs.

Each rule lives here once; ``networks`` builders, ``logistics`` engines and the app import it
(``networks`` never imports ``logistics``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np

#: Earth radius of the great-circle distance, metres.
#: Source: IUGG mean radius R1 = 6,371,008.8 m (Moritz 2000, Geodetic Reference System 1980).
EARTH_RADIUS_M = 6_371_008.8

#: UTC offset in hours by ISO 3166-1 alpha-2 country code (ICT = +7, MYT/SGT = +8, MMT = +6.5).
#: Source: the countries' legal time (no daylight saving time in the study area).
UTC_OFFSET_H: dict[str, float] = {
    "TH": 7.0,
    "LA": 7.0,
    "VN": 7.0,
    "KH": 7.0,
    "MM": 6.5,
    "MY": 8.0,
    "SG": 8.0,
}

#: Country assumed where a place or event has none (``""``, e.g. at sea): its truck costs and
#: time zone apply. Source: assumption: Thailand, the hub of both corridors.
DEFAULT_COUNTRY = "TH"

#: UTC offset of a country not in :data:`UTC_OFFSET_H` (or ``""``, at sea), hours: that of
#: :data:`DEFAULT_COUNTRY` (UTC+7, the corridor's dominant zone: TH, LA, VN, KH).
DEFAULT_UTC_OFFSET_H = UTC_OFFSET_H[DEFAULT_COUNTRY]

_ZONE_NAMES = {"TH": "ICT", "LA": "ICT", "VN": "ICT", "KH": "ICT", "MM": "MMT", "MY": "MYT"}

#: Circuity of an access leg or connector (great-circle distance x factor = road distance).
#: Source: assumption: 1.3, within the 1.2-1.4 range of road-to-straight-line ratios commonly
#: used in freight studies; not measured on the corridor.
ACCESS_CIRCUITY = 1.3

#: Truck speed on an access leg or connector (stop to its nearest road node, checkpoint
#: approaches), km/h. Source: assumption: local roads inside estates, towns and border areas.
ACCESS_SPEED_KPH = 40.0

#: A place farther than this from every road node is not served by the network, km.
#: Source: assumption: beyond 50 km the coarse network cannot be said to serve the place.
MAX_ACCESS_KM = 50.0


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in metres on a sphere of radius :data:`EARTH_RADIUS_M`.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : float or array_like
        WGS84 degrees; arrays broadcast.

    Returns
    -------
    float or numpy.ndarray
        Metres (a Python float when every input is a scalar).
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    out = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return float(out) if np.ndim(out) == 0 else out


def utc_offset_h(country: str) -> float:
    """UTC offset of ``country`` in hours; :data:`DEFAULT_UTC_OFFSET_H` when unknown."""
    return UTC_OFFSET_H.get(country, DEFAULT_UTC_OFFSET_H)


def zone_name(country: str) -> str:
    """Short zone label of ``country`` (ICT, MYT, SGT, MMT; ``UTC+7`` style otherwise)."""
    if country == "SG":
        return "SGT"
    return _ZONE_NAMES.get(country) or f"UTC{utc_offset_h(country):+g}"


def local_zone(country: str) -> timezone:
    """The fixed-offset :class:`datetime.timezone` of ``country`` (named, e.g. ``ICT``)."""
    return timezone(timedelta(hours=utc_offset_h(country)), zone_name(country))


def parse_time(text: str | datetime, *, country: str, field: str) -> datetime:
    """Parse an ISO 8601 date-time into an aware UTC datetime.

    Parameters
    ----------
    text : str or datetime
        ``2026-03-02T18:00+07:00`` (absolute), ``...Z`` (UTC) or ``2026-03-02 18:00`` (naive:
        local time of ``country``). An aware datetime is converted, a naive one localised.
    country : str
        ISO2 code whose local time a naive value is taken in (:func:`utc_offset_h`, so an unknown
        country means :data:`DEFAULT_UTC_OFFSET_H`).
    field : str
        Name of the input, for the error message.

    Raises
    ------
    ValueError
        The text is not an ISO 8601 date-time (the message names ``field`` and the value).
    """
    if isinstance(text, datetime):
        stamp = text
    else:
        raw = str(text).strip()
        try:
            stamp = datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(
                f"{field} {raw!r} is not a date-time; allowed: ISO 8601 such as "
                "'2026-03-02T18:00+07:00', '2026-03-02T11:00Z' or '2026-03-02 18:00' (local time)"
            ) from None
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        stamp = stamp.replace(tzinfo=local_zone(country))
    return stamp.astimezone(UTC)


def access_leg(distance_m: Any) -> tuple[Any, Any]:
    """Road length and travel time of an access leg or connector of great-circle ``distance_m``.

    The model: great-circle x :data:`ACCESS_CIRCUITY` at :data:`ACCESS_SPEED_KPH`.

    Returns
    -------
    (length_m, travel_time_s)
        Same shape as ``distance_m`` (vectorised).
    """
    length_m = np.asarray(distance_m, dtype=float) * ACCESS_CIRCUITY
    return length_m, length_m / (ACCESS_SPEED_KPH / 3.6)


def nearest(
    lat: Any,
    lon: Any,
    node_lat: np.ndarray,
    node_lon: np.ndarray,
    *,
    country: Any = None,
    node_country: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest node of each point by great-circle distance (the one snapping rule).

    Parameters
    ----------
    lat, lon : float or array_like
        The points, WGS84 degrees.
    node_lat, node_lon : numpy.ndarray
        Candidate nodes (non-empty).
    country, node_country : optional
        The points' ISO2 codes (a scalar or one per point) and the nodes' codes: a point snaps to
        a node of its own country when it has one and the nodes include that country, else to
        any node.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Indices into the node arrays (ties go to the lowest index) and distances in metres, one per
        point.
    """
    lat_a = np.atleast_1d(np.asarray(lat, dtype=float))
    lon_a = np.atleast_1d(np.asarray(lon, dtype=float))
    node_lat = np.asarray(node_lat, dtype=float)
    node_lon = np.asarray(node_lon, dtype=float)
    if node_lat.size == 0:
        raise ValueError("nearest() needs at least one candidate node")
    countries = np.broadcast_to(
        np.asarray("" if country is None else country, dtype=object), lat_a.shape
    )
    idx = np.zeros(lat_a.shape, dtype=np.int64)
    dist = np.zeros(lat_a.shape)
    for code in dict.fromkeys(countries.tolist()):
        ks = np.flatnonzero(countries == code)
        cand = np.arange(node_lat.size)
        if code and node_country is not None:
            own = np.flatnonzero(np.asarray(node_country) == code)
            if own.size:
                cand = own
        for start in range(0, ks.size, 64):  # bounded memory: 64 points x every candidate
            chunk = ks[start : start + 64]
            d = haversine_m(
                lat_a[chunk, None],
                lon_a[chunk, None],
                node_lat[cand][None, :],
                node_lon[cand][None, :],
            )
            best = np.argmin(d, axis=1)
            idx[chunk] = cand[best]
            dist[chunk] = d[np.arange(chunk.size), best]
    return idx, dist
