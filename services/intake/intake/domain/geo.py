"""Distances on the ground. The local store has no geospatial operators: candidates are
picked with a lat/long bounding box and measured here."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(long2 - long1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bounding_box(lat: float, long: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min long, max long) that contains every point within `radius_m`."""
    d_lat = math.degrees(radius_m / EARTH_RADIUS_M)
    d_long = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - d_lat, lat + d_lat, long - d_long, long + d_long
