#!/usr/bin/env python3
"""Cut the committed sample out of the real national data in data/ (no value is changed).

Sample = Lyon (69123, with its 9 arrondissements) and the 15 communes whose points are
nearest to Lyon's, plus the 6 communes of Martinique whose codes come first (972xx).
Run from the repository root: python3 data/sample/make_sample.py
"""
import csv, gzip, json, math
from pathlib import Path

DATA = Path("data")
OUT = DATA / "sample"

def rows(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        return r.fieldnames, list(r)

def write(path, header, rows_):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows_)

h, communes = rows(DATA / "communes.csv")
lyon = next(c for c in communes if c["insee"] == "69123")
def km(c):
    return math.dist((float(c["lat"]), float(c["lon"]) * math.cos(math.radians(45.76))),
                     (float(lyon["lat"]), float(lyon["lon"]) * math.cos(math.radians(45.76)))) * 111.2
metro = sorted((c for c in communes if c["zone"] == "metro" and c["insee"] != "69123"), key=km)[:15]
martinique = sorted((c for c in communes if c["dep"] == "972"), key=lambda c: c["insee"])[:6]
keep = {c["insee"] for c in [lyon, *metro, *martinique]}
write(OUT / "communes.csv", h, [c for c in communes if c["insee"] in keep])

h, ifn = rows(DATA / "ifn_communes.csv")
write(OUT / "ifn_communes.csv", h, [r for r in ifn if r["insee"] in keep])
h, iris = rows(DATA / "ifn_iris.csv.gz")
write(OUT / "ifn_iris.csv.gz", h, [r for r in iris if r["insee_2026"] in keep])
h, plm = rows(DATA / "plm_arrondissements.csv")
write(OUT / "plm_arrondissements.csv", h, [r for r in plm if r["commune_insee"] in keep])
gj = json.loads((DATA / "plm_arrondissements.geojson").read_text(encoding="utf-8"))
gj["features"] = [f for f in gj["features"] if f["properties"]["commune"] in keep]
(OUT / "plm_arrondissements.geojson").write_text(json.dumps(gj, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
h, sites = rows(DATA / "inclusion_sites.csv")
write(OUT / "inclusion_sites.csv", h, [r for r in sites if r["insee_2026"] in keep])
with gzip.open(DATA / "communes.geojson.gz", "rt", encoding="utf-8") as f:
    gj = json.load(f)
gj["features"] = [f for f in gj["features"] if f["properties"]["insee"] in keep]
with gzip.GzipFile(OUT / "communes.geojson.gz", "wb", mtime=0) as f:
    f.write(json.dumps(gj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
h, cnfs = rows(DATA / "cnfs_structures.csv")
write(OUT / "cnfs_structures.csv", h, [r for r in cnfs if r["insee_2026"] in keep])
print(len(keep), "communes")
