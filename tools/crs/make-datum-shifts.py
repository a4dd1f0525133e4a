#!/usr/bin/env python3
"""Datum shifts to WGS 84 as PROJ chooses them without grid files, for @eoforge/raster.

Run from the repository root with Debian's proj-bin and proj-data installed (PROJ 9.1):
    python3 tools/crs/make-datum-shifts.py
Writes packages/raster/src/internal/datumShifts.json: for every EPSG geographic 2D CRS, the candidate
operations to WGS 84 (EPSG:4326) in the order PROJ lists them (`projinfo --spatial-test intersects
--grid-check none`), each with its EPSG accuracy in metres, its area of use (west, south, east, north in
degrees, from proj.db) and either the Helmert parameters (towgs84 order: x, y, z in m, rx, ry, rz in
arc-seconds position-vector convention, scale in ppm), `noop`, or the grid it needs (and whether Debian's
proj-data ships it). The reader picks per point as PROJ's proj_trans does: among the operations whose area
contains the point and that need no missing grid, the smallest accuracy, ties to the smallest area, an
offshore-only operation only when it is the first to contain the point.
"""
import json, os, re, sqlite3, subprocess, sys

DB = "/usr/share/proj/proj.db"
GRID_DIR = "/usr/share/proj"
db = sqlite3.connect(DB)


def area(auth, code):
    """An operation's area of use (west, south, east, north; west > east crosses the antimeridian), as
    proj_get_area_of_use reports it: its first domain."""
    row = db.execute(
        """select e.west_lon, e.south_lat, e.east_lon, e.north_lat from usage u join extent e
           on e.auth_name = u.extent_auth_name and e.code = u.extent_code
           where u.object_auth_name = ? and u.object_code = ? and u.object_table_name in
           ('helmert_transformation', 'grid_transformation', 'concatenated_operation',
            'other_transformation') order by u.rowid limit 1""",
        (auth, code)).fetchone()
    return list(row) if row else None


def grid_available(name):
    """Whether Debian's proj-data ships the grid, under its current or its former name."""
    names = {name}
    for r in db.execute("select old_proj_grid_name from grid_alternatives where proj_grid_name = ?", (name,)):
        names.add(r[0])
    return any(n and os.path.exists(os.path.join(GRID_DIR, n)) for n in names)


def parse_pipeline(text):
    """towgs84 list from a PROJ pipeline of Helmert steps, 'noop', or a reason it is not one."""
    if text.strip() == "+proj=noop":
        return "noop", None
    grids = re.findall(r"\+(?:grids|nadgrids|geoidgrids)=([^ ]+)", text)
    if grids:
        return None, {"grid": grids[0].lstrip("@")}
    if "+proj=longlat" in text and "+pm=" in text or "+proj=molodensky" in text:
        return None, {"unsupported": "prime meridian or Molodensky step"}
    helmerts = re.findall(r"\+step( \+inv)? \+proj=helmert([^+]*(?:\+(?!step)[^+]*)*)", text)
    if not helmerts:
        return None, {"unsupported": "no Helmert step"}
    total = [0.0] * 7
    for inv, params in helmerts:
        p = dict(re.findall(r"\+(\w+)=([^ ]+)", params))
        v = [float(p.get(k, 0)) for k in ("x", "y", "z", "rx", "ry", "rz", "s")]
        if p.get("convention") == "coordinate_frame":
            v[3:6] = [-r for r in v[3:6]]
        if inv:
            v = [-x for x in v]
        if len(helmerts) > 1 and any(v[3:]):
            return None, {"unsupported": "concatenated 7-parameter Helmert"}
        total = [a + b for a, b in zip(total, v)]
    if any(k in text for k in ("+t_epoch", "+dx=", "+drx")):
        return None, {"unsupported": "time-dependent Helmert"}
    return [round(x, 9) for x in total], None


def operations(code):
    out = subprocess.run(
        ["projinfo", "-s", f"EPSG:{code}", "-t", "EPSG:4326", "--spatial-test", "intersects",
         "--grid-check", "none", "-o", "PROJ", "--single-line"],
        capture_output=True, text=True).stdout
    ops = []
    for block in re.split(r"\n(?=Operation No\. \d+:)", out):
        head = re.search(r"Operation No\. \d+:\n\n?([^\n]+)\n", block)
        if not head:
            continue
        m = re.match(r"([\w()]+):([\w-]+), (.*?), (unknown|[\d.]+ m), (.*)$", head.group(1))
        if not m:
            continue
        auth, op, name, acc, where = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
        base = re.match(r"(?:INVERSE|DERIVED_FROM)\((\w+)\)", auth)
        auth = base.group(1) if base else auth
        pm = re.search(r"PROJ string:\n([^\n]+)", block)
        pipeline = pm.group(1) if pm else ""
        entry = {"op": f"{auth}:{op}", "name": name,
                 "accuracy": None if acc == "unknown" else float(acc[:-2])}
        bbox = area(auth, op)
        # proj_trans never lets an offshore-only operation displace one already chosen for a point.
        if "offshore" in where and "onshore" not in where:
            entry["offshore"] = True
        if bbox is None:
            continue  # ballpark operations (no area): PROJ uses them only when nothing else applies
        entry["bbox"] = bbox
        towgs84, other = parse_pipeline(pipeline)
        if towgs84 == "noop":
            entry["towgs84"] = [0, 0, 0, 0, 0, 0, 0]
        elif towgs84 is not None:
            entry["towgs84"] = towgs84
        else:
            entry.update(other)
            if "grid" in entry:
                entry["available"] = grid_available(entry["grid"])
        ops.append(entry)
    return ops


codes = [r[0] for r in db.execute(
    """select code from geodetic_crs where auth_name = 'EPSG' and type = 'geographic 2D'
       and deprecated = 0 and code != '4326' order by cast(code as integer)""")]
table = {}
for i, code in enumerate(codes):
    ops = operations(code)
    if ops:
        table[code] = ops
    if i % 100 == 0:
        print(f"{i}/{len(codes)}", file=sys.stderr)
dest = "packages/raster/src/internal/datumShifts.json"
with open(dest, "w") as f:
    proj = subprocess.run(["cs2cs"], capture_output=True, text=True).stderr.split("\n")[0]
    json.dump({"proj": proj, "crs": table}, f, separators=(",", ":"))
print(f"{len(table)} geographic CRSs, {sum(len(v) for v in table.values())} operations -> {dest}")
