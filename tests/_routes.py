"""Hand-built routes with realistic leg lengths, shared by the itinerary and Monte Carlo tests."""

from __future__ import annotations

from networks.types import Leg, Place, Route


def leg(mode: str, country: str, km: float, h: float, **kw: str) -> Leg:
    return Leg(mode, country, km, h, 0, 1, (0.0, 0.0), (0.0, 0.0), **kw)


def r12_by_hand() -> Route:
    """Bangkok-Hanoi on R12, realistic leg lengths (Bangkok-Nakhon Phanom ~720 km, NR12 ~145 km)."""
    return Route(
        Place("Bangkok", 13.75, 100.5, "TH", "city"),
        Place("Hanoi", 21.03, 105.85, "VN", "city"),
        [0, 1],
        [
            leg("road", "TH", 720, 10.0),
            leg(
                "border",
                "LA",
                2,
                0.05,
                crossing_id="nakhon-phanom-thakhek",
                from_country="TH",
                to_country="LA",
            ),
            leg("road", "LA", 145, 3.2),
            leg(
                "border",
                "VN",
                1,
                0.03,
                crossing_id="na-phao-cha-lo",
                from_country="LA",
                to_country="VN",
            ),
            leg("road", "VN", 540, 9.8),
        ],
    )


def sg_to_bkk_by_hand() -> Route:
    return Route(
        Place("Singapore", 1.35, 103.8, "SG", "city"),
        Place("Bangkok", 13.75, 100.5, "TH", "city"),
        [0, 1],
        [
            leg("road", "SG", 20, 0.4),
            leg(
                "border",
                "MY",
                2,
                0.1,
                crossing_id="woodlands-johor-bahru",
                from_country="SG",
                to_country="MY",
            ),
            leg("road", "MY", 800, 9.0),
            leg(
                "border",
                "TH",
                2,
                0.1,
                crossing_id="bukit-kayu-hitam-sadao",
                from_country="MY",
                to_country="TH",
            ),
            leg("road", "TH", 950, 13.0),
        ],
    )
