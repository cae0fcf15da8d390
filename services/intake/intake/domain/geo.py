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


CELL_DEGREES = 0.01  # about 1.1 km north–south; the grid that finds open requests nearby


def cell_of(lat: float, long: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor(long / CELL_DEGREES)


def cells_in(box: tuple[float, float, float, float]) -> list[tuple[int, int]]:
    """Every grid cell that overlaps the (min lat, max lat, min long, max long) box."""
    (low_lat, low_long), (high_lat, high_long) = cell_of(box[0], box[2]), cell_of(box[1], box[3])
    return [(i, j) for i in range(low_lat, high_lat + 1) for j in range(low_long, high_long + 1)]


def bounding_box(lat: float, long: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min long, max long) that contains every point within `radius_m`."""
    d_lat = math.degrees(radius_m / EARTH_RADIUS_M)
    d_long = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - d_lat, lat + d_lat, long - d_long, long + d_long
