"""Broken files: every problem is one line naming file, layer, row and column."""
import sqlite3
from contextlib import closing

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, Polygon

from factory import tiny_gpkg, tiny_layers, write_layers, write_tiny
from viewer.cli import main as cli_main
from viewer.io import DatasetError, read_dataset, validate


def problem_lines(path):
    return [str(p) for p in validate(path)]


def broken(tmp_path, layer, edit, name="broken.gpkg"):
    layers = tiny_layers()
    layers[layer] = edit(layers[layer].copy())
    return write_layers(layers, tmp_path / name)


def test_a_clean_file_has_no_problems(tmp_path):
    assert problem_lines(write_tiny(tmp_path / "ok.gpkg")) == []


@pytest.mark.parametrize("make, expected", [
    (lambda p: p, "file does not exist"),
    (lambda p: (p.mkdir(), p)[1], "is a folder"),
    (lambda p: (p.write_bytes(b""), p)[1], "is empty"),
    (lambda p: (p.write_bytes(b"\x89PNG random bytes" * 50), p)[1], "not an SQLite database"),
])
def test_files_that_are_not_geopackages(tmp_path, make, expected):
    path = make(tmp_path / "bad.gpkg")
    lines = problem_lines(path)
    assert len(lines) == 1 and expected in lines[0] and "bad.gpkg" in lines[0]


def test_sqlite_database_that_is_not_a_geopackage(tmp_path):
    path = tmp_path / "plain.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    assert "not a GeoPackage (no gpkg_contents table)" in problem_lines(path)[0]


def test_truncated_file(tmp_path):
    path = write_tiny(tmp_path / "whole.gpkg")
    cut = tmp_path / "cut.gpkg"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    lines = problem_lines(cut)
    assert lines and all("cut.gpkg" in line for line in lines)
    with pytest.raises(DatasetError):
        read_dataset(cut)


@pytest.mark.parametrize("with_a_view", [False, True])
def test_a_file_with_a_damaged_page_is_refused_though_its_layers_still_read(tmp_path, with_a_view):
    """SQLite's check of every page runs while the layers are read: a damaged page that
    no layer's reading touches (an index's) still stops the file, with that one problem,
    whatever else is wrong with it (a layer that is a view)."""
    path = write_tiny(tmp_path / "damaged.gpkg")
    with sqlite3.connect(path) as db:
        db.execute("CREATE INDEX by_note ON control(note)")
        if with_a_view:
            db.execute("CREATE VIEW notes AS SELECT note FROM control")
            db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                       "VALUES ('notes', 'attributes', 'notes')")
    with closing(sqlite3.connect(path)) as db:
        page = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'by_note'").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    data[(page - 1) * size] = 0x07      # not a b-tree page's type
    path.write_bytes(bytes(data))
    with closing(sqlite3.connect(path)) as db:
        assert len(db.execute("SELECT * FROM control ORDER BY rowid").fetchall()) == 3
    with pytest.raises(DatasetError) as raised:
        read_dataset(path)
    (problem,) = raised.value.problems
    assert str(problem).startswith("damaged.gpkg: is damaged or truncated (SQLite:")


def test_missing_layer_and_missing_column(tmp_path):
    layers = tiny_layers()
    del layers["flows"]
    layers["control"] = layers["control"].drop(columns="valid_from")
    lines = problem_lines(write_layers(layers, tmp_path / "gaps.gpkg"))
    assert "gaps.gpkg, layer 'flows': required layer is missing" in lines
    assert "gaps.gpkg, layer 'control', column 'valid_from': required column is missing" in lines


@pytest.mark.parametrize("layer, column", [("control", "actor_id"), ("control", "source_ids"),
                                           ("sources", "outlet"), ("flows", "status")])
def test_blank_text_in_a_required_column_is_refused_as_an_empty_value(tmp_path, layer, column):
    """Spaces alone name no actor and no source: a fact row with them is refused, as one
    with nothing in the cell is (text columns are pandas' string dtype, not object)."""
    def edit(frame):
        frame.loc[1, column] = "   "
        return frame
    row = tiny_layers()[layer].iloc[1, 0]
    assert (f"broken.gpkg, layer '{layer}', row {row}, column '{column}': required value is empty"
            in problem_lines(broken(tmp_path, layer, edit)))


def test_unparseable_date_names_row_and_column(tmp_path):
    def edit(control):
        control.loc[2, "valid_from"] = "19 Oct 2024"
        return control
    lines = problem_lines(broken(tmp_path, "control", edit))
    assert "broken.gpkg, layer 'control', row c3, column 'valid_from': " \
           "'19 Oct 2024' is not a date (YYYY-MM-DD)" in lines


def test_interval_that_ends_before_it_starts(tmp_path):
    def edit(control):
        control.loc[1, "valid_to"] = "2024-01-01"
        return control
    lines = problem_lines(broken(tmp_path, "control", edit))
    assert any("row c2, column 'valid_to': 2024-01-01 is not after valid_from" in l for l in lines)


def test_unknown_ids_are_named(tmp_path):
    def edit(control):
        control.loc[2, "actor_id"] = "XYZ"
        control.loc[2, "source_ids"] = "s1;nope"
        return control
    lines = problem_lines(broken(tmp_path, "control", edit))
    assert any("row c3, column 'actor_id': 'XYZ' is not a known id in layer 'actors'" in l
               for l in lines)
    assert any("row c3, column 'source_ids': 'nope' is not a known id in layer 'sources'" in l
               for l in lines)


def test_overlapping_control_periods_are_reported_not_merged(tmp_path):
    def edit(control):
        control.loc[1, "valid_to"] = "2024-12-01"
        return control
    lines = problem_lines(broken(tmp_path, "control", edit))
    assert any("row c3" in l and "overlaps row c2" in l for l in lines)


def test_wrong_geometry_type(tmp_path):
    def edit(places):
        return gpd.GeoDataFrame(places.drop(columns="geometry"),
                                geometry=[Polygon([(0, 0), (1, 0), (1, 1)])] * 2, crs=4326)
    lines = problem_lines(broken(tmp_path, "places", edit))
    assert any("layer 'places', row west, column 'geometry': geometry is Polygon, expected Point"
               in l for l in lines)


def test_bad_colour(tmp_path):
    def edit(actors):
        actors.loc[0, "color"] = "blue"
        return actors
    lines = problem_lines(broken(tmp_path, "actors", edit))
    assert "broken.gpkg, layer 'actors', row KIA, column 'color': " \
           "'blue' is not a colour of the form #RRGGBB" in lines


def test_coordinates_out_of_range(tmp_path):
    def edit(places):
        places.loc[0, "geometry"] = Point(500, 25)
        return places
    lines = problem_lines(broken(tmp_path, "places", edit))
    assert any("row west, column 'geometry': coordinates are outside" in l for l in lines)


def test_self_intersecting_polygon_is_repaired_with_a_warning(tmp_path):
    bowtie = Polygon([(97.0, 25.0), (97.5, 25.5), (97.5, 25.0), (97.0, 25.5)])

    def edit(areas):
        areas.loc[0, "geometry"] = bowtie
        return areas
    path = broken(tmp_path, "areas", edit)
    dataset = read_dataset(path)
    assert dataset.areas.geometry.is_valid.all()
    assert any("warning:" in str(w) and "row zone-west" in str(w) and "repaired" in str(w)
               for w in dataset.warnings)


def test_layer_in_another_crs_is_reprojected(tmp_path):
    layers = tiny_layers()
    layers["places"] = layers["places"].to_crs(32647)
    dataset = read_dataset(write_layers(layers, tmp_path / "utm.gpkg"))
    assert dataset.places.geometry.iloc[0].x == pytest.approx(97.25, abs=1e-6)
    assert any("reprojected to EPSG:4326" in str(w) for w in dataset.warnings)


def test_burmese_and_chinese_names_and_paths(tmp_path):
    layers = tiny_layers()
    layers["places"].loc[0, "name"] = "ဗန်းမော် 八莫"
    path = write_layers(layers, tmp_path / "ကချင် 克钦 briefing.gpkg")
    assert read_dataset(path).places["name"].iloc[0] == "ဗန်းမော် 八莫"


def test_unreadable_file(tmp_path, monkeypatch):
    path = write_tiny(tmp_path / "locked.gpkg")

    def denied(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")
    # Tests run as root in CI, where chmod 000 does not stop reading; deny it here instead.
    monkeypatch.setattr("viewer.io.file_check.open", denied, raising=False)
    assert problem_lines(path) == ["locked.gpkg: cannot be read: Permission denied"]


def test_validate_command_prints_each_problem_and_exits_1(tmp_path, capsys):
    def edit(control):
        control.loc[0, "status"] = "owned"
        control.loc[1, "valid_from"] = "soon"
        return control
    path = broken(tmp_path, "control", edit)
    assert cli_main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "broken.gpkg, layer 'control', row c1, column 'status': " \
           "'owned' is not one of held, contested" in out
    assert any("row c2, column 'valid_from'" in line for line in out)


def test_validate_command_exit_0_on_a_clean_file(tmp_path, capsys):
    path = write_tiny(tmp_path / "ok.gpkg")
    assert cli_main(["validate", str(path)]) == 0
    assert "is a valid briefing dataset" in capsys.readouterr().out


def test_null_and_empty_geometry_are_named(tmp_path):
    def edit(flows):
        flows.loc[0, "geometry"] = None
        flows.loc[1, "geometry"] = LineString()
        return flows
    lines = problem_lines(broken(tmp_path, "flows", edit))
    assert "broken.gpkg, layer 'flows', row f1, column 'geometry': geometry is empty" in lines
    assert "broken.gpkg, layer 'flows', row f2, column 'geometry': geometry is empty" in lines


def test_a_control_row_without_shape_takes_its_areas_shape(tmp_path):
    def edit(control):
        control.loc[2, "geometry"] = None
        return control
    dataset = read_dataset(broken(tmp_path, "control", edit))
    row = dataset.control.set_index("control_id").loc["c3"]
    assert row.geometry.equals(dataset.areas.set_index("area_id").loc["zone-east"].geometry)


def test_a_gap_over_a_day_a_control_row_holds_is_named(tmp_path):
    """A file made in QGIS may say both who held a zone and that no source says: QGIS
    draws the zone twice. The reader names the gap row and the control row it overlaps;
    the file still opens (the viewer shows the zone as held)."""
    layers = tiny_layers()
    layers["control_gaps"] = gpd.GeoDataFrame(
        {"gap_id": ["g-old", "g-over"], "area_id": ["zone-west", "zone-east"],
         "valid_from": ["2023-01-01", "2024-11-01"], "valid_to": ["2024-01-01", None],
         "reason": ["no_source"] * 2},
        geometry=[layers["areas"].geometry.iloc[0], layers["areas"].geometry.iloc[1]], crs=4326)
    path = write_layers(layers, tmp_path / "gaps.gpkg")
    lines = problem_lines(path)
    east_holders = set(layers["control"].loc[layers["control"]["area_id"] == "zone-east",
                                             "control_id"])
    assert len(lines) == 1, lines
    assert "gaps.gpkg, layer 'control_gaps', row g-over, column 'valid_from'" in lines[0]
    assert any(f"control row {row}" in lines[0] for row in east_holders)
    assert read_dataset(path).extra_layers["control_gaps"] is not None


@pytest.mark.parametrize("declared_as_date", [False, True])
def test_a_date_in_full_width_digits_is_not_a_date(tmp_path, declared_as_date):
    """GDAL and QGIS read '２０２４-10-20' as NULL: the viewer must not take it for 20 Oct 2024,
    whether the column is TEXT or (as the project's writer makes it) DATE."""
    path = tmp_path / "wide.gpkg"
    if declared_as_date:
        tiny_gpkg(path)
        with sqlite3.connect(path) as db:   # sources has no geometry: no R-tree triggers to run
            db.execute("UPDATE sources SET published = '２０２４-10-20' WHERE source_id = 's1'")
    else:
        layers = tiny_layers()
        layers["sources"].loc[0, "published"] = "２０２４-10-20"
        write_layers(layers, path)
    assert problem_lines(path) == ["wide.gpkg, layer 'sources', row s1, column 'published': "
                                   "'２０２４-10-20' is not a date (YYYY-MM-DD)"]


@pytest.mark.parametrize("importance, shown", [(99, "99"), (1e20, "1e+20"), (-5, "-5"),
                                               (2.7, "2.7")])
def test_an_importance_other_than_1_2_or_3_is_refused(tmp_path, importance, shown):
    """The key-event packs rank by importance; an edit refuses such a value, and so does the reader."""
    def edit(events):
        events["importance"] = [importance, 1, 2]
        return events
    assert problem_lines(broken(tmp_path, "events", edit)) == [
        f"broken.gpkg, layer 'events', row e1, column 'importance': '{shown}' is not 1, 2 or 3"]


def gaps_layer(layers, **columns):
    """A valid control_gaps layer over the tiny dataset (zone-west before its first
    holder), with `columns` replacing its own."""
    gaps = {"gap_id": ["g1", "g2"], "area_id": ["zone-west", "zone-east"],
            "valid_from": ["2023-01-01", "2023-06-01"], "valid_to": ["2024-01-01", "2024-01-01"],
            "reason": ["no_source", "placeholder"], "source_ids": [None, "s1"], "note": [None, None]}
    west = layers["areas"].geometry.iloc[0]
    return gpd.GeoDataFrame(dict(gaps, **columns), geometry=[west, west], crs=4326)


def test_a_valid_control_gaps_layer_opens_and_a_file_without_one_too(tmp_path):
    layers = tiny_layers()
    layers["control_gaps"] = gaps_layer(layers)
    assert problem_lines(write_layers(layers, tmp_path / "gaps.gpkg")) == []
    assert problem_lines(write_tiny(tmp_path / "none.gpkg")) == []


@pytest.mark.parametrize("columns, problem", [
    ({"valid_to": ["2024-01-01", "2023-06-01"]},
     "row g2, column 'valid_to': 2023-06-01 is not after valid_from 2023-06-01"),
    ({"valid_to": ["2022-01-01", "2024-01-01"]},
     "row g1, column 'valid_to': 2022-01-01 is not after valid_from 2023-01-01"),
    ({"valid_from": [None, "2023-06-01"]}, "row g1, column 'valid_from': required value is empty"),
    ({"valid_from": ["2023-02-30", "2023-06-01"]},
     "row g1, column 'valid_from': '2023-02-30' is not a date (YYYY-MM-DD)"),
    ({"area_id": ["zone-west", "zone-north"]},
     "row g2, column 'area_id': 'zone-north' is not a known id in layer 'areas'"),
    ({"reason": ["no_source", "unknown"]},
     "row g2, column 'reason': 'unknown' is not one of no_source, placeholder"),
    ({"source_ids": ["s1;s9", None]},
     "row g1, column 'source_ids': 's9' is not a known id in layer 'sources'"),
    ({"gap_id": ["g1", "g1"]}, "row g1, column 'gap_id': id is used by more than one row"),
])
def test_a_bad_control_gaps_row_is_refused_naming_the_cell(tmp_path, columns, problem):
    """Such gaps validated as ok, and the KML export carried them."""
    layers = tiny_layers()
    layers["control_gaps"] = gaps_layer(layers, **columns)
    assert problem_lines(write_layers(layers, tmp_path / "gaps.gpkg")) == [
        f"gaps.gpkg, layer 'control_gaps', {problem}"]


def test_a_control_gaps_layer_without_a_required_column_is_refused(tmp_path):
    layers = tiny_layers()
    layers["control_gaps"] = gaps_layer(layers).drop(columns="area_id")
    assert problem_lines(write_layers(layers, tmp_path / "gaps.gpkg")) == [
        "gaps.gpkg, layer 'control_gaps', column 'area_id': required column is missing"]
