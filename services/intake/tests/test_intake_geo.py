"""The grid that finds open requests nearby without scanning."""

import random

import pytest

from intake.domain.geo import bounding_box, cell_of, cells_in

pytestmark = pytest.mark.unit


def test_every_point_within_the_radius_lies_in_a_cell_the_box_covers() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        lat, long = rng.uniform(25, 40), rng.uniform(44, 63)
        radius = rng.choice([10, 50, 200, 5000])
        box = bounding_box(lat, long, radius)
        covered = set(cells_in(box))
        point = (rng.uniform(box[0], box[1]), rng.uniform(box[2], box[3]))
        assert cell_of(*point) in covered


def test_a_small_radius_looks_in_at_most_four_cells() -> None:
    assert len(cells_in(bounding_box(38.2611, 48.2977, 50))) <= 4
    assert cell_of(38.2611, 48.2977) == (3826, 4829)
