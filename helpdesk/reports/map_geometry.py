"""Geometry of the battle map (作战图): Zhoukou's divisions projected once into SVG coordinates.

The shapes come from seeds/maps/zhoukou.geojson (see seeds/maps/README.md for their source and
licence). They are projected equirectangularly with the cos(latitude) correction of the map's middle
latitude (at 33.7° N a degree of longitude is 0.83 of a degree of latitude; a city this small needs
nothing better), fitted into a viewBox WIDTH units wide, and simplified for the screen (Douglas–Peucker
at one unit, under 0.7 px at any width the map is drawn: it removes the source's 1/1024-degree
staircase and halves the page). Labels go where a box of the label's shape can be largest: the pole
of inaccessibility measured with that box (a centroid can fall outside a concave division).
"""

from __future__ import annotations

import heapq
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from helpdesk.config import ROOT

GEOJSON = ROOT / "seeds" / "maps" / "zhoukou.geojson"
WIDTH = 1000  # viewBox units; the height follows from the shape
PADDING = 6
TOLERANCE = 1.0  # viewBox units the simplification may move the border by
LABEL_TOLERANCE = 3.0

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]  # exterior first, then holes


@dataclass(frozen=True)
class Division:
    """One county-level division: its projected polygons, SVG path, and the outline labels are placed in."""

    code: str
    name: str
    polygons: list[Polygon]
    d: str
    outline: Polygon  # the largest polygon, coarser (LABEL_TOLERANCE): where labels are placed

    def contains(self, x: float, y: float) -> bool:
        return any(polygon_contains(polygon, x, y) for polygon in self.polygons)


@dataclass(frozen=True)
class MapGeometry:
    width: int
    height: int
    divisions: dict[str, Division]  # by GB/T 2260 code, in the file's order


@cache
def load_geometry(path: Path = GEOJSON) -> MapGeometry:
    """The projected map, read and computed once per process (about 0.2 s)."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    shapes = {f["properties"]["code"]: (f["properties"]["name"], _polygons_of(f["geometry"])) for f in features}
    lon_lat = [p for _name, polygons in shapes.values() for polygon in polygons for ring in polygon for p in ring]
    west, east = min(p[0] for p in lon_lat), max(p[0] for p in lon_lat)
    south, north = min(p[1] for p in lon_lat), max(p[1] for p in lon_lat)
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = (WIDTH - 2 * PADDING) / ((east - west) * squeeze)
    height = math.ceil((north - south) * scale + 2 * PADDING)

    def project(lon: float, lat: float) -> Point:
        return (PADDING + (lon - west) * squeeze * scale, PADDING + (north - lat) * scale)

    divisions = {}
    for code, (name, polygons) in shapes.items():
        projected = [[simplify([project(*p) for p in ring], TOLERANCE) for ring in polygon] for polygon in polygons]
        biggest = max(projected, key=lambda polygon: abs(ring_area(polygon[0])))
        # A coarser outline is plenty to place a label, and ten times quicker to search.
        outline = [simplify(ring, LABEL_TOLERANCE) for ring in biggest]
        divisions[code] = Division(code, name, projected, path_data(projected), outline)
    return MapGeometry(WIDTH, height, divisions)


def _polygons_of(geometry: dict) -> list[Polygon]:
    if geometry["type"] == "Polygon":
        return [[[tuple(p) for p in ring] for ring in geometry["coordinates"]]]
    return [[[tuple(p) for p in ring] for ring in polygon] for polygon in geometry["coordinates"]]


def path_data(polygons: list[Polygon]) -> str:
    """SVG path data in whole units (a unit is under 0.7 px at any width the map is drawn).

    Each ring is one absolute move, then relative line steps between the rounded points (no drift,
    and a step of a few units is a few characters: "l3-2 1 4").
    """
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = [(round(x), round(y)) for x, y in ring[:-1]]
            points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
            steps = " ".join(f"{x1 - x0} {y1 - y0}" for (x0, y0), (x1, y1) in zip(points, points[1:]))
            parts.append(f"M{points[0][0]} {points[0][1]}l{steps.replace(' -', '-')}z")
    return "".join(parts)


# -- plane geometry ------------------------------------------------------------------------------


def ring_area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1])) / 2


def _ring_contains(ring: Ring, x: float, y: float) -> bool:
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def polygon_contains(polygon: Polygon, x: float, y: float) -> bool:
    return _ring_contains(polygon[0], x, y) and not any(_ring_contains(hole, x, y) for hole in polygon[1:])


def simplify(ring: Ring, tolerance: float) -> Ring:
    """Douglas–Peucker on a closed ring, keeping its first point and the point farthest from it.

    A first pass drops the points closer than `tolerance` to the last one kept, as simplify-js does:
    it is cheap and leaves Douglas–Peucker a third of the points.
    """
    limit = tolerance * tolerance
    near = [ring[0]]
    for x, y in ring[1:-1]:
        if (x - near[-1][0]) ** 2 + (y - near[-1][1]) ** 2 > limit:
            near.append((x, y))
    ring = [*near, ring[-1]]
    if len(ring) < 5:
        return ring
    far = max(range(len(ring)), key=lambda i: (ring[i][0] - ring[0][0]) ** 2 + (ring[i][1] - ring[0][1]) ** 2)
    keep = {0, far, len(ring) - 1}
    stack = [(0, far), (far, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = ring[first], ring[last]
        dx, dy = bx - ax, by - ay
        norm = dx * dx + dy * dy or 1.0
        best, index = 0.0, None
        for i in range(first + 1, last):
            x, y = ring[i]
            distance = ((x - ax) * dy - (y - ay) * dx) ** 2 / norm  # squared distance to the chord's line
            if distance > best:
                best, index = distance, i
        if index is not None and best > limit:
            keep.add(index)
            stack += [(first, index), (index, last)]
    return [ring[i] for i in sorted(keep)]


def box_room(polygon: Polygon, px: float, py: float, aspect: float) -> float:
    """Signed half-height of the largest box of width/height `aspect` centred on P inside the polygon.

    That is the Chebyshev distance to the border once x is divided by `aspect`. For one edge it is
    min over t of max(|Δx|/aspect, |Δy|), reached at an end of the edge or where the two terms are
    equal. (One loop without calls: this runs some ninety thousand times per map.)
    """
    nearest = math.inf
    for ring in polygon:
        for (ax, ay), (bx, by) in zip(ring, ring[1:]):
            ex, ey = (ax - px) / aspect, ay - py
            dx, dy = (bx - ax) / aspect, by - ay
            d = max(abs(ex), abs(ey))
            end = max(abs(ex + dx), abs(ey + dy))
            if end < d:
                d = end
            if dx != dy:
                t = (ey - ex) / (dx - dy)  # where ex + t·dx = ey + t·dy
                if 0.0 < t < 1.0 and abs(ex + t * dx) < d:
                    d = abs(ex + t * dx)
            if dx != -dy:
                t = (-ey - ex) / (dx + dy)  # where ex + t·dx = -(ey + t·dy)
                if 0.0 < t < 1.0 and abs(ex + t * dx) < d:
                    d = abs(ex + t * dx)
            if d < nearest:
                nearest = d
    return nearest if polygon_contains(polygon, px, py) else -nearest


def label_spot(polygon: Polygon, aspect: float = 1.0, precision: float = 1.0) -> tuple[Point, float]:
    """Where a label box of width/height `aspect` can be largest, and its half-height there.

    Mapbox's polylabel (the pole of inaccessibility) with the box's own distance: with x divided by
    the aspect, the box is a square and its room is the Chebyshev distance to the border. Cells are
    searched best-first by the most any point in them could score, and a cell is split only while
    it could beat the best point found by more than `precision` units of half-height. The rings
    must be closed (first point == last).
    """
    xs, ys = [x for x, _ in polygon[0]], [y for _, y in polygon[0]]
    west, north, east, south = min(xs), min(ys), max(xs), max(ys)
    size = min((east - west) / aspect, south - north)  # cells are squares once x is divided by aspect
    if size <= 0:
        return (west, north), 0.0

    def cell(x: float, y: float, half: float) -> tuple[float, float, float, float, float]:
        room = box_room(polygon, x, y, aspect)
        return (-(room + half), room, x, y, half)

    half = size / 2
    queue = []
    x = west
    while x < east:
        y = north
        while y < south:
            heapq.heappush(queue, cell(x + half * aspect, y + half, half))
            y += size
        x += size * aspect
    ring = polygon[0]
    area = ring_area(ring)
    cx = sum((x0 + x1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / (6 * area)
    cy = sum((y0 + y1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / (6 * area)
    # Start from the better of the area centroid and the centre of the box.
    best = max(cell(cx, cy, 0), cell((west + east) / 2, (north + south) / 2, 0), key=lambda c: c[1])
    while queue:
        _bound, room, x, y, half = heapq.heappop(queue)
        if room > best[1]:
            best = (0, room, x, y, 0)
        if room + half - best[1] <= precision:
            continue
        half /= 2
        for dx in (-half * aspect, half * aspect):
            for dy in (-half, half):
                heapq.heappush(queue, cell(x + dx, y + dy, half))
    return (best[2], best[3]), best[1]
