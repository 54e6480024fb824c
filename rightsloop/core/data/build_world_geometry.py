"""Build world.json, the country outlines the world map chart draws (core/charts.py), from Natural Earth.

Source: Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries (https://www.naturalearthdata.com/), public
domain, as bundled in the geopandas 0.14.4 wheel (geopandas/datasets/naturalearth_lowres/*). Natural Earth draws
de facto boundaries; so does this map, which is no statement on any territory.

Projection: Equal Earth (Šavrič, Patterson and Jenny, 2018; central meridian 0°), an equal-area projection, so a
country's share of the picture is its share of the land. x runs from 0 to 1000 across the whole world, y from the
northernmost to the southernmost point drawn (Antarctica and the French Southern Lands are left out).

Simplification: each ring is simplified with Douglas-Peucker at TOLERANCE canvas units, rounded to integers,
rings smaller than SMALLEST square units are dropped (a country always keeps its largest ring), and each path is
written with relative moves so the whole map stays a few kilobytes. A country whose largest ring is under DOT
square units (Luxembourg, Palestine, Lebanon, Gambia...) also gets a dot: the centre of that ring, which the map
draws instead so a value there can be seen. Countries missing at 1:110m (Singapore, Bahrain, Malta, most small
islands) are in the map's table only.

Codes: ISO 3166-1 alpha-3 to alpha-2 through pycountry; the countries Natural Earth codes -99 (France, Norway,
Kosovo…) are mapped by name (BY_NAME): Kosovo keeps the user-assigned XK, Northern Cyprus is drawn with Cyprus
and Somaliland with Somalia, as ISO 3166 counts them.

Run it outside the project's environment (pyshp is not a project dependency):

    python -m venv /tmp/geovenv && /tmp/geovenv/bin/pip install pyshp pycountry
    pip download geopandas==0.14.4 --no-deps -d /tmp/geo
    /tmp/geovenv/bin/python rightsloop/core/data/build_world_geometry.py /tmp/geo/geopandas-0.14.4-py3-none-any.whl

The wheel (or a folder holding naturalearth_lowres.shp/.shx/.dbf) is the only argument; the output is written
beside this script unless --output says otherwise.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import zipfile
from pathlib import Path

import pycountry
import shapefile

WIDTH = 1000
TOLERANCE = 1.0   # canvas units (the canvas is 1000 wide)
SMALLEST = 3.0    # square canvas units
DOT = 12.0        # a country whose largest ring is smaller than this (square units) is drawn as a dot
MARGIN = 2
LEFT_OUT = {"ATA", "ATF"}  # Antarctica, French Southern and Antarctic Lands
BY_NAME = {"France": "FR", "Norway": "NO", "Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}
MEMBERS = ("naturalearth_lowres.shp", "naturalearth_lowres.shx", "naturalearth_lowres.dbf")
CODE_PAGE = "naturalearth_lowres.cpg"

# Equal Earth constants.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
HALF_WIDTH = 2 * math.sqrt(3) * math.pi / (3 * A1)   # x at longitude 180°, latitude 0°


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Project degrees to Equal Earth units (y grows northwards)."""
    lam, theta = math.radians(lon), math.asin(M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * lam * math.cos(theta) / (3 * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def douglas_peucker(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Keep the points that lie further than tolerance from the chord of their run (iterative, closed rings ok)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        worst, index = 0.0, 0
        for n in range(first + 1, last):
            px, py = points[n]
            distance = (abs(dy * px - dx * py + x2 * y1 - y2 * x1) / length if length
                        else math.hypot(px - x1, py - y1))
            if distance > worst:
                worst, index = distance, n
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def ring_area(points: list[tuple[float, float]]) -> float:
    if len(points) < 3:
        return 0.0
    following = [*points[1:], points[0]]
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, following, strict=True))) / 2


def path_data(rings: list[list[tuple[int, int]]]) -> str:
    """An SVG path: an absolute move to each ring's start, then relative lines, with no needless spaces."""
    out = []
    for ring in rings:
        x, y = ring[0]
        parts = [f"M{x} {y}l"]
        numbers = []
        for nx, ny in ring[1:]:
            numbers += [nx - x, ny - y]
            x, y = nx, ny
        text = ""
        for number in numbers:
            text += (" " if text and number >= 0 else "") + str(number)
        out.append(parts[0] + text + "z")
    return "".join(out)


def alpha_2(iso_a3: str, name: str) -> str | None:
    if name in BY_NAME:
        return BY_NAME[name]
    country = pycountry.countries.get(alpha_3=iso_a3)
    return country.alpha_2 if country else None


def reader(source: Path) -> shapefile.Reader:
    """Read the shapefile from a folder or straight out of the wheel, in the encoding its .cpg names."""
    if source.is_dir():
        files = {member: (source / member).read_bytes() for member in (*MEMBERS, CODE_PAGE)}
    else:
        with zipfile.ZipFile(source) as wheel:
            names = {Path(name).name: name for name in wheel.namelist()}
            files = {member: wheel.read(names[member]) for member in (*MEMBERS, CODE_PAGE)}
    shp, shx, dbf = (io.BytesIO(files[member]) for member in MEMBERS)
    return shapefile.Reader(shp=shp, shx=shx, dbf=dbf, encoding=files[CODE_PAGE].decode("ascii").strip())


def build(source: Path) -> dict:
    shapes = reader(source)
    projected: dict[str, list[list[tuple[float, float]]]] = {}
    for record, shape in zip(shapes.records(), shapes.shapes(), strict=True):
        if record["iso_a3"] in LEFT_OUT:
            continue
        code = alpha_2(record["iso_a3"], record["name"])
        if code is None:
            raise SystemExit(f"No ISO 3166 code for {record['name']} ({record['iso_a3']}): add it to BY_NAME")
        for start, end in itertools.pairwise([*shape.parts, len(shape.points)]):
            projected.setdefault(code, []).append([equal_earth(lon, lat) for lon, lat in shape.points[start:end]])
    scale = WIDTH / (2 * HALF_WIDTH)
    top = max(y for rings in projected.values() for ring in rings for _x, y in ring)
    bottom = min(y for rings in projected.values() for ring in rings for _x, y in ring)
    height = round((top - bottom) * scale) + 2 * MARGIN
    paths, dots = {}, {}
    for code, rings in sorted(projected.items()):
        drawn = []
        largest: list[tuple[float, float]] = []
        for ring in rings:
            canvas = [((x + HALF_WIDTH) * scale, (top - y) * scale + MARGIN) for x, y in ring]
            if ring_area(canvas) > ring_area(largest):
                largest = canvas
            simple = douglas_peucker(canvas, TOLERANCE)
            rounded: list[tuple[int, int]] = []
            for x, y in simple:
                point = (round(x), round(y))
                if not rounded or rounded[-1] != point:
                    rounded.append(point)
            while len(rounded) > 1 and rounded[-1] == rounded[0]:
                rounded.pop()
            drawn.append(rounded)
        drawn.sort(key=ring_area, reverse=True)
        kept = [drawn[0]] + [ring for ring in drawn[1:] if len(ring) >= 3 and ring_area(ring) >= SMALLEST]
        paths[code] = path_data(kept)
        if ring_area(largest) < DOT:
            dots[code] = [round(sum(x for x, _y in largest) / len(largest)),
                          round(sum(y for _x, y in largest) / len(largest))]
    return {
        "source": "Natural Earth 1:110m Admin 0 - Countries (public domain), via geopandas 0.14.4",
        "projection": "Equal Earth, central meridian 0",
        "width": WIDTH,
        "height": height,
        "paths": paths,
        "dots": dots,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the geopandas 0.14.4 wheel, or a folder with naturalearth_lowres.*")
    parser.add_argument("--output", type=Path, default=Path(__file__).with_name("world.json"))
    arguments = parser.parse_args()
    world = build(arguments.source)
    arguments.output.write_text(json.dumps(world, indent=0, sort_keys=False, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    size = sum(len(d) for d in world["paths"].values())
    print(f"{len(world['paths'])} countries ({len(world['dots'])} as dots), {world['width']}x{world['height']}, "
          f"{size} bytes of path data")


if __name__ == "__main__":
    main()
