"""The reader's polygon check takes a shortcut for star-shaped polygons: it must
still refuse every polygon GEOS refuses, and accept every one GEOS accepts."""
import numpy as np
import shapely

from viewer.io.shapes import SharedShapes
from viewer.io.star_rings import surely_valid


def rings_of_every_kind(count: int, seed: int = 0) -> np.ndarray:
    """Random polygons, about half of them invalid: points in random order, stars,
    stars with two points swapped, spikes, repeated points, rings going round twice,
    polygons with holes and multipolygons of touching or overlapping parts."""
    rng = np.random.default_rng(seed)
    shapes = []
    for _ in range(count):
        k = int(rng.integers(3, 12))
        angles = np.sort(rng.uniform(0, 2 * np.pi, k))
        radii = rng.uniform(0.1, 1, k)
        kind = int(rng.integers(0, 8))
        if kind == 0:
            points = rng.uniform(0, 1, (k, 2))
        elif kind == 3:
            radii = rng.choice([1e-9, 1.0, 100.0], k)
        elif kind == 4:
            angles = np.sort(rng.choice(np.linspace(0, 2 * np.pi, 5)[:-1], k))
        elif kind == 5:
            angles = np.sort(rng.uniform(0, 4 * np.pi, k))
        if kind != 0:
            points = np.c_[radii * np.cos(angles), radii * np.sin(angles)]
        if kind == 2:
            i = int(rng.integers(0, k - 1))
            points[[i, i + 1]] = points[[i + 1, i]]
        points = points + rng.uniform(-1e3, 1e3, 2) * rng.integers(0, 2)
        polygon = shapely.Polygon(points)
        if kind == 6:
            polygon = shapely.Polygon(points * 3, [points[::-1] * rng.uniform(0.5, 4)])
        if kind == 7:
            polygon = shapely.MultiPolygon([polygon, shapely.Polygon(points + rng.uniform(0, 2, 2))])
        elif rng.integers(0, 2):
            polygon = shapely.MultiPolygon([polygon])
        shapes.append(polygon)
    out = np.empty(len(shapes), dtype=object)
    out[:] = shapes
    return out


def test_the_polygon_check_gives_geos_verdict_on_every_kind_of_polygon():
    polygons = rings_of_every_kind(20_000)
    geos = shapely.is_valid(polygons)
    assert 0.2 < geos.mean() < 0.8                       # both verdicts well represented
    assert (SharedShapes().is_valid(polygons) == geos).all()


def test_the_shortcut_only_ever_says_valid_and_takes_most_convex_zones():
    polygons = rings_of_every_kind(20_000, seed=1)
    sure = surely_valid(polygons)
    assert not (sure & ~shapely.is_valid(polygons)).any()   # never a refused polygon let in
    zones = shapely.voronoi_polygons(shapely.MultiPoint(np.random.default_rng(2).uniform(0, 1, (200, 2))))
    cells = np.asarray(shapely.get_parts(zones), dtype=object)
    assert surely_valid(cells).all()                      # cells nearest a town: convex
