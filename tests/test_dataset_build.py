"""Tests for the embedded dataset ``geodata/kachin.gpkg`` and ``geodata/build.py``.

The build runs as a subprocess (the way a developer runs it) into pytest's
temporary folder; the committed file must match what the script builds.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely

REPO = Path(__file__).resolve().parents[1]
GPKG = REPO / "geodata" / "kachin.gpkg"
BUILD = REPO / "geodata" / "build.py"
FACTS = REPO / "geodata" / "src" / "facts"
DATE_COLS = {"valid_from", "valid_to", "date", "end_date", "published"}
HALF_OPEN_LAYERS = ("control", "flows")

REQUIRED = {
    "dataset_meta": ["key", "value"],
    "sources": ["source_id", "outlet", "title", "published"],
    "actors": ["actor_id", "name", "color"],
    "places": ["place_id", "name", "kind"],
    "areas": ["area_id", "name", "kind"],
    "control": ["control_id", "actor_id", "status", "valid_from", "confidence", "source_ids"],
    "flows": ["flow_id", "from_place_id", "to_place_id", "commodity", "status", "valid_from",
              "source_ids"],
    "events": ["event_id", "date", "date_precision", "title", "category", "source_ids"],
    "series": ["series_id", "date", "value", "unit", "label", "source_ids"],
}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def run_build(out: Path) -> None:
    proc = subprocess.run([sys.executable, str(BUILD), "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.exists()


def contents(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as con:
        return con.execute(
            "SELECT table_name, data_type, identifier, description, last_change, min_x, min_y,"
            " max_x, max_y, srs_id FROM gpkg_contents ORDER BY table_name").fetchall()


def layer_names(path: Path) -> list[str]:
    return [r[0] for r in contents(path)]


def read(path: Path, layer: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(path, layer=layer)


def assert_same_layer(a: pd.DataFrame, b: pd.DataFrame, name: str) -> None:
    assert list(a.columns) == list(b.columns), name
    assert len(a) == len(b), name
    geom_cols = [c for c in a.columns if str(a[c].dtype) == "geometry"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(a.drop(columns=geom_cols)), pd.DataFrame(b.drop(columns=geom_cols)),
        obj=name)
    for c in geom_cols:
        for i, (ga, gb) in enumerate(zip(a[c], b[c])):
            if ga is None or gb is None:
                assert ga is None and gb is None, f"{name} row {i}: geometry null mismatch"
            else:
                assert shapely.equals_exact(ga, gb, tolerance=1e-9), f"{name} row {i}: geometry"


def active(df: pd.DataFrame, day: str) -> pd.DataFrame:
    """Rows valid on ``day`` by the half-open rule, computed with pandas directly."""
    d = pd.Timestamp(day)
    vf = pd.to_datetime(df["valid_from"])
    vt = pd.to_datetime(df["valid_to"])
    return df[(vf <= d) & (vt.isna() | (d < vt))]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("dataset")
    a, b = folder / "a.gpkg", folder / "b.gpkg"
    run_build(a)
    run_build(b)
    return a, b


@pytest.fixture(scope="module")
def layers() -> dict[str, pd.DataFrame]:
    return {name: read(GPKG, name) for name in layer_names(GPKG)}


# --------------------------------------------------------------------------
# reproducibility
# --------------------------------------------------------------------------
def test_committed_file_matches_build(built):
    fresh, _ = built
    assert GPKG.exists(), "geodata/kachin.gpkg is missing: run python geodata/build.py"
    assert layer_names(GPKG) == layer_names(fresh)
    assert contents(GPKG) == contents(fresh)
    for name in layer_names(fresh):
        assert_same_layer(read(GPKG, name), read(fresh, name), name)


def test_build_twice_is_identical(built):
    a, b = built
    assert a.read_bytes() == b.read_bytes()


def test_build_reads_only_repo_files():
    for path in [BUILD, *(REPO / "geodata" / "kachin_build").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert "/work/shared" not in text and "../shared" not in text, path
    assert GPKG.stat().st_size < 5_000_000


# --------------------------------------------------------------------------
# format
# --------------------------------------------------------------------------
def test_geopackage_version_and_date_columns():
    with sqlite3.connect(GPKG) as con:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10300
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n_dates = 0
        for (table,) in con.execute("SELECT table_name FROM gpkg_contents").fetchall():
            for _, col, decl, *_ in con.execute(f'PRAGMA table_info("{table}")'):
                if col in DATE_COLS:
                    assert decl == "DATE", f"{table}.{col} declared {decl}"
                    n_dates += 1
                    bad = con.execute(
                        f'SELECT COUNT(*) FROM "{table}" WHERE "{col}" IS NOT NULL AND '
                        f'("{col}" NOT GLOB \'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]\' '
                        f'OR date("{col}") IS NOT "{col}")').fetchone()[0]
                    assert bad == 0, f"{table}.{col} holds non-ISO dates"
        assert n_dates >= 8
        kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        for t in ("dataset_meta", "sources", "actors", "series"):
            assert kinds[t] == "attributes"
        for t in ("places", "areas", "control", "flows", "events"):
            assert kinds[t] == "features"
        geom = dict(con.execute(
            "SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))
        assert geom["areas"] == "MULTIPOLYGON" and geom["control"] == "MULTIPOLYGON"
        assert geom["places"] == "POINT" and geom["flows"] == "LINESTRING"
        srs = {r[0] for r in con.execute("SELECT srs_id FROM gpkg_geometry_columns")}
        assert srs == {4326}


def test_dates_read_back_as_dates():
    for layer, cols in {"control": ["valid_from", "valid_to"], "flows": ["valid_from", "valid_to"],
                        "events": ["date", "end_date"], "series": ["date"],
                        "sources": ["published"]}.items():
        info = pyogrio.read_info(GPKG, layer=layer)
        types = dict(zip(info["fields"], info["ogr_types"]))
        df = read(GPKG, layer)
        for c in cols:
            assert types[c] == "OFTDate", (layer, c)
            assert pd.api.types.is_datetime64_any_dtype(df[c]), (layer, c)


def test_required_columns_present(layers):
    for name, cols in REQUIRED.items():
        assert name in layers, name
        missing = [c for c in cols if c not in layers[name].columns]
        assert not missing, (name, missing)
    for name in ("base_countries", "base_admin1", "base_borders", "base_rivers", "base_lakes"):
        assert name in layers


def test_dataset_meta(layers):
    meta = dict(zip(layers["dataset_meta"]["key"], layers["dataset_meta"]["value"]))
    for key in ("title", "subtitle", "description", "default_date", "time_start", "time_end",
                "license", "attribution", "schema_version"):
        assert meta.get(key), key
    assert meta["schema_version"] == "1"
    assert meta["time_start"] <= meta["default_date"] < meta["time_end"]


# --------------------------------------------------------------------------
# facts
# --------------------------------------------------------------------------
def test_every_source_id_resolves(layers):
    known = set(layers["sources"]["source_id"])
    csv_ids = set(pd.read_csv(FACTS / "sources.csv")["source_id"])
    assert csv_ids <= known
    for name, df in layers.items():
        if "source_ids" not in df.columns:
            continue
        for i, v in enumerate(df["source_ids"]):
            if name == "control_gaps" and not isinstance(v, str):
                continue  # a gap says no source was found; only a placeholder cites any
            assert isinstance(v, str) and v, f"{name} row {i}: no source_ids"
            missing = [s for s in v.split(";") if s not in known]
            assert not missing, f"{name} row {i}: unknown sources {missing}"


def test_all_fact_rows_carried_over(layers):
    ev = pd.read_csv(FACTS / "events.csv")
    assert list(layers["events"]["event_id"]) == list(ev["event_id"])
    se = pd.read_csv(FACTS / "series.csv")
    assert len(layers["series"]) == len(se)
    assert set(layers["series"]["derived"]) <= {0, 1}
    assert layers["series"]["derived"].sum() >= 10


def test_a_value_whose_note_says_it_is_worked_out_is_derived(layers):
    """SMM's price ranges are given as their midpoint ("value is the DERIVED midpoint"):
    17 such rows were drawn as reported points. A reported value whose note only
    mentions a side calculation stays reported."""
    series = layers["series"]
    midpoints = series[series["note"].str.contains("value is the DERIVED midpoint", na=False)]
    assert len(midpoints) >= 17 and set(midpoints["derived"]) == {1}
    cross_check = series[series["note"].str.contains(r"Cross-check \(DERIVED\)", na=False)]
    assert len(cross_check) == 1 and set(cross_check["derived"]) == {0}


def test_event_places_and_actors_resolve(layers):
    places = layers["places"].set_index("place_id")
    actors = set(layers["actors"]["actor_id"])
    ev = layers["events"]
    for r in ev.itertuples(index=False):
        if isinstance(r.place_id, str):
            assert r.place_id in places.index, r.event_id
            assert r.geometry is not None and r.geometry.equals(places.loc[r.place_id].geometry)
        else:
            assert r.geometry is None, r.event_id
        if isinstance(r.actor_ids, str):
            assert set(r.actor_ids.split(";")) <= actors, r.event_id
    # places without a coordinate stay unplaced instead of being invented
    lang_sel = ev[ev["place_name"] == "Lang Sel"]
    assert len(lang_sel) == 1 and lang_sel["place_id"].isna().all()


def test_actor_colours(layers):
    act = layers["actors"]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in act["color"])
    holders = set(layers["control"]["actor_id"]) | set(layers["control"]["contested_with"].dropna())
    colours = act.set_index("actor_id").loc[sorted(holders), "color"]
    assert colours.is_unique


@pytest.mark.parametrize("layer", HALF_OPEN_LAYERS)
def test_intervals_are_valid_and_do_not_overlap(layers, layer):
    df = layers[layer]
    vt = df["valid_to"].dropna()
    assert (vt > df.loc[vt.index, "valid_from"]).all()
    key = "area_id" if layer == "control" else "route_id"
    for k, grp in df.groupby(key):
        grp = grp.sort_values("valid_from")
        for (_, a), (_, b) in zip(grp.iloc[:-1].iterrows(), grp.iloc[1:].iterrows()):
            assert pd.notna(a["valid_to"]) and a["valid_to"] <= b["valid_from"], (layer, k)


def test_control_and_flow_enumerations(layers):
    c, f = layers["control"], layers["flows"]
    assert set(c["status"]) <= {"held", "contested"}
    assert set(c["confidence"]) <= {"confirmed", "reported", "claimed", "estimated"}
    assert c.loc[c["status"] == "contested", "contested_with"].notna().all()
    assert set(f["status"]) <= {"active", "reduced", "halted", "proposed"}
    assert f["volume"].isna().all()  # no source gives per-route volumes
    assert (f["geometry_note"].str.startswith("schematic")).all()
    assert set(c["area_id"]) <= set(layers["areas"]["area_id"])
    places = set(layers["places"]["place_id"])
    assert set(f["from_place_id"]) <= places and set(f["to_place_id"]) <= places


def test_each_zone_contains_its_town(layers):
    areas = layers["areas"]
    places = layers["places"].set_index("place_id")
    zones = areas[areas["kind"] == "town_zone"]
    assert len(zones) >= 10
    for z in zones.itertuples(index=False):
        assert z.area_id == f"zone-{z.place_id}"
        assert z.geometry.is_valid and not z.geometry.is_empty, z.area_id
        assert z.geometry.covers(places.loc[z.place_id].geometry), z.area_id
        assert z.parent_id in set(areas["area_id"])
    for needed in ("pangwa", "chipwe", "tsawlaw", "kanpiketi", "sadung", "lweje", "momauk",
                   "mansi", "bhamo", "laiza", "mai-ja-yang", "lashio"):
        assert f"zone-{needed}" in set(zones["area_id"]), needed


def test_control_geometry_is_the_zone(layers):
    zones = layers["areas"].set_index("area_id")
    for r in layers["control"].itertuples(index=False):
        assert r.geometry.equals(zones.loc[r.area_id].geometry), r.control_id


# --------------------------------------------------------------------------
# known dates (half-open rule)
# --------------------------------------------------------------------------
def _holder(layers, area_id: str, day: str):
    rows = active(layers["control"], day)
    rows = rows[rows["area_id"] == area_id]
    assert len(rows) <= 1, (area_id, day)
    return None if rows.empty else (rows.iloc[0]["actor_id"], rows.iloc[0]["status"])


def test_pangwa_changes_hands_in_october_2024(layers):
    assert _holder(layers, "zone-pangwa", "2024-09-01") != ("KIA", "held")
    assert _holder(layers, "zone-pangwa", "2024-11-01") == ("KIA", "held")


def test_kanpiketi_falls_on_20_november_2024(layers):
    assert _holder(layers, "zone-kanpiketi", "2024-11-19") != ("KIA", "held")
    assert _holder(layers, "zone-kanpiketi", "2024-11-21") == ("KIA", "held")


def test_china_routes_halted_on_25_october_2024(layers):
    flows = layers["flows"]
    china = flows[flows["status"] != "proposed"]
    routes = set(china["route_id"])
    assert {"pangwa-gate", "kanpiketi-houqiao", "laiza-gate", "mai-ja-yang-gate"} <= routes
    on_day = active(china, "2024-10-25")
    assert set(on_day["route_id"]) == routes
    assert (on_day["status"] == "halted").all()


def test_bhamo_contested_then_claimed_then_contested_again(layers):
    assert _holder(layers, "zone-bhamo", "2024-11-30") == ("SAC", "held")
    for day in ("2025-01-15", "2025-09-10", "2025-12-31", "2026-03-01"):
        assert _holder(layers, "zone-bhamo", day) == ("SAC", "contested"), day
    claimed = active(layers["control"], "2025-09-20")
    claimed = claimed[claimed["area_id"] == "zone-bhamo"]
    assert claimed.iloc[0]["confidence"] == "claimed"  # the junta's word, shown as such


def test_laiza_held_by_kia_throughout_as_sources_say(layers):
    rows = layers["control"][layers["control"]["area_id"] == "zone-laiza"]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["actor_id"], row["status"], row["confidence"]) == ("KIA", "held", "confirmed")
    assert str(row["valid_from"].date()) == "2021-02-01" and pd.isna(row["valid_to"])


def test_tsawlaw_and_hsawlaw_are_one_place_and_one_zone(layers):
    places, areas = layers["places"], layers["areas"]
    assert "hsawlaw" not in set(places["place_id"])
    assert "zone-hsawlaw" not in set(areas["area_id"])
    zone = areas[areas["area_id"] == "zone-tsawlaw"].iloc[0]
    assert "Hsawlaw" in zone["name_alt"]
    rows = layers["control"][layers["control"]["area_id"] == "zone-tsawlaw"]
    assert len(rows) == 2  # the two spellings' identical periods merged
    assert rows["source_ids"].str.contains("wiki-mirror-hsawlaw").any()


def _day_counts(frame: pd.DataFrame, area_id: str, days: pd.DatetimeIndex):
    rows = frame[frame["area_id"] == area_id]
    counts = pd.Series(0, index=days)
    for vf, vt in zip(pd.to_datetime(rows["valid_from"]), pd.to_datetime(rows["valid_to"])):
        counts += (days >= vf) & (pd.isna(vt) | (days < vt))
    return counts


def test_every_zone_has_control_or_explicit_no_information_on_every_day(layers):
    meta = dict(zip(layers["dataset_meta"]["key"], layers["dataset_meta"]["value"]))
    days = pd.date_range(meta["time_start"], meta["time_end"], inclusive="left")
    zones = layers["areas"][layers["areas"]["kind"] == "town_zone"]
    kachin = zones[zones["parent_id"] == "state-kachin"]
    assert len(kachin) == 34
    gaps = layers["control_gaps"]
    for area_id in zones["area_id"]:
        held = _day_counts(layers["control"], area_id, days)
        unknown = _day_counts(gaps, area_id, days)
        assert ((held + unknown) == 1).all(), area_id
    # the towns the events talk about are coloured, not blank
    for town in ("myitkyina", "waingmaw", "hpakant", "putao", "sumprabum", "shwegu"):
        assert _holder(layers, f"zone-{town}", "2025-06-01") is not None, town
    # the facts' placeholder is not drawn as control
    assert "zone-shin-bway-yang" in set(gaps["area_id"])
    assert (gaps["reason"].isin(["no_source", "placeholder"])).all()


def test_interval_rule_over_every_control_row(layers):
    """A row holds on its first day and its last day, and not on its valid_to."""
    control = layers["control"]
    for r in control.itertuples(index=False):
        first = r.valid_from.strftime("%Y-%m-%d")
        held = active(control, first)
        assert r.control_id in set(held[held["area_id"] == r.area_id]["control_id"])
        if pd.notna(r.valid_to):
            last = (r.valid_to - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
            assert r.control_id in set(active(control, last)["control_id"])
            after = active(control, r.valid_to.strftime("%Y-%m-%d"))
            assert r.control_id not in set(after["control_id"])


def test_meta_says_how_current_the_data_is(layers):
    meta = dict(zip(layers["dataset_meta"]["key"], layers["dataset_meta"]["value"]))
    events = pd.read_csv(FACTS / "events.csv")
    assert meta["data_current_to"] == events["date"].max() == "2026-03-16"
    assert meta["time_end"] >= "2026-12-03"
    # The series with the most sourced points: the prices' points are mostly derived
    # midpoints of SMM's quoted ranges.
    assert meta["default_series"] == ("china_re_exports_t [t_per_month];"
                                      "china_imports_unlisted_reo_all_origins_t [t_per_month];"
                                      "dysprosium_oxide_cny_per_kg [CNY_per_kg]")


def test_sources_carry_outlet_and_via(layers):
    src = layers["sources"].set_index("source_id")
    assert "via" in src.columns
    assert src["outlet"].notna().all()
    assert src["via"].notna().sum() > 10
    assert src.loc["geo-mimu-place-codes", "via"] == "PyPI mm-geo-coder 0.2.1"


# --------------------------------------------------------------------------
# writer behaviour used by the build
# --------------------------------------------------------------------------
def test_writer_refuses_overwrite_and_leaves_nothing_on_failure(tmp_path):
    from viewer.io.gpkg_write import write_gpkg

    ok = pd.DataFrame({"key": ["a"], "date": ["2024-01-01"]})
    target = tmp_path / "t.gpkg"
    write_gpkg({"meta": ok}, target)
    before = target.read_bytes()
    with pytest.raises(FileExistsError):
        write_gpkg({"meta": ok}, target)
    bad = pd.DataFrame({"key": ["a"], "date": ["2024-13-01"]})
    with pytest.raises(ValueError):
        write_gpkg({"meta": bad}, target, overwrite=True)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.gpkg"]


def test_writer_removes_temp_file_when_writing_fails(tmp_path, monkeypatch):
    import viewer.io.gpkg_write as gw

    def boom(conn, *args, **kwargs):
        conn.execute("CREATE TABLE half_written (x INTEGER)")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(gw, "_write_all", boom)
    with pytest.raises(RuntimeError):
        gw.write_gpkg({"meta": pd.DataFrame({"key": ["a"]})}, tmp_path / "t.gpkg")
    assert list(tmp_path.iterdir()) == []


def test_spatial_index_is_usable():
    # GDAL uses the R-tree for bbox filters; Pangwa's zone is found by a small box
    df = pyogrio.read_dataframe(GPKG, layer="areas", bbox=(98.30, 25.55, 98.40, 25.65))
    assert "zone-pangwa" in set(df["area_id"])
    with sqlite3.connect(GPKG) as con:
        n = con.execute('SELECT COUNT(*) FROM "rtree_areas_geom"').fetchone()[0]
        assert n == con.execute('SELECT COUNT(*) FROM "areas"').fetchone()[0]
