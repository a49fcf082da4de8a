"""`export --kml` (valid KML 2.2, time spans, escaped sources) and `export --geojson` (RFC 7946)."""
import json
import pathlib

import fastkml
import pytest
from factory import tiny_layers, write_layers
from fastkml import kml
from lxml import etree

from viewer.cli import main

KML_SCHEMA = pathlib.Path(fastkml.__file__).parent / "schema" / "ogckml22.xsd"


@pytest.fixture(scope="module")
def marked_up(tmp_path_factory):
    """The tiny briefing with markup planted in a source title and a control note."""
    layers = tiny_layers()
    layers["sources"].loc[1, "title"] = '<script>alert("x")</script> & <b>bold</b>'
    layers["control"].loc[2, "note"] = "<a href='javascript:run()'>click</a>"
    return write_layers(layers, tmp_path_factory.mktemp("kml") / "marked.gpkg")


def export(argv, capsys) -> None:
    assert main(["export", *argv]) == 0, capsys.readouterr().err


def test_the_kml_validates_against_the_kml_22_schema(marked_up, tmp_path, capsys):
    out = tmp_path / "briefing.kml"
    export(["--kml", str(out), "--dataset", str(marked_up)], capsys)
    schema = etree.XMLSchema(etree.parse(str(KML_SCHEMA)))
    document = etree.parse(str(out))
    assert schema.validate(document), schema.error_log


def test_kml_placemarks_carry_the_validity_periods_as_time_spans(marked_up, tmp_path, capsys):
    out = tmp_path / "briefing.kml"
    export(["--kml", str(out), "--dataset", str(marked_up)], capsys)
    [document] = kml.KML.parse(str(out)).features
    folders = {folder.name: folder.features for folder in document.features}
    control = {p.name: p.times for p in folders["Control zones"]}
    east_kia = control["Easttown zone: held by Kachin Independence Army"]
    assert (str(east_kia.begin), east_kia.end) == ("2024-10-19", None)
    east_sac = control["Easttown zone: held by Junta"]
    assert (str(east_sac.begin), str(east_sac.end)) == ("2024-01-01", "2024-10-19")
    routes = [(p.name, str(p.times.begin)) for p in folders["Routes"]]
    assert routes == [("r1: active", "2024-01-01"), ("r1: halted", "2024-10-22")]
    # A month-precision event says only its month.
    stamps = {p.name: str(p.times.timestamp) for p in folders["Events"]}
    assert stamps["Month-only event"] == "2024-10"


def test_kml_styles_follow_actor_and_status(marked_up, tmp_path, capsys):
    out = tmp_path / "briefing.kml"
    export(["--kml", str(out), "--dataset", str(marked_up)], capsys)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    tree = etree.parse(str(out))
    urls = tree.xpath("//k:Placemark/k:styleUrl/text()", namespaces=ns)
    assert "#control-KIA-held-confirmed" in urls and "#route-halted" in urls
    fill = tree.xpath("//k:Style[@id='control-KIA-held-confirmed']/k:PolyStyle/k:color/text()",
                      namespaces=ns)
    assert fill == ["b2b27200"]  # KIA's #0072B2 as aabbggrr, 70% opaque for confirmed


def test_kml_descriptions_escape_dataset_text(marked_up, tmp_path, capsys):
    out = tmp_path / "briefing.kml"
    export(["--kml", str(out), "--dataset", str(marked_up)], capsys)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    texts = etree.parse(str(out)).xpath("//k:Placemark/k:description/text()", namespaces=ns)
    joined = "\n".join(texts)
    # Google Earth reads a description as HTML: dataset text must stay text in it.
    assert "&lt;script&gt;" in joined and "<script>" not in joined
    assert "&lt;a href=" in joined and "<a href" not in joined
    assert "Outlet B" in joined


def test_a_control_character_in_dataset_text_leaves_the_kml_readable(tmp_path, capsys):
    """A vertical tab in a summary (pasted from a word processor) made a file no XML
    reader accepts: Google Earth and QGIS refused it whole."""
    layers = tiny_layers()
    layers["events"].loc[0, "summary"] = "Line one\x0bline two"
    layers["sources"].loc[0, "title"] = "Bell\x07 report"
    layers["events"]["extra\x07col"] = "x"      # an extra column's name is an attribute
    out = tmp_path / "briefing.kml"
    export(["--kml", str(out), "--dataset", str(write_layers(layers, tmp_path / "c.gpkg"))], capsys)
    joined = "\n".join(etree.parse(str(out)).xpath("//text()"))
    assert "Line one\ufffdline two" in joined and "Bell\ufffd report" in joined


def test_geojson_holds_what_holds_on_the_date_with_sources(tmp_path, capsys):
    out = tmp_path / "map.geojson"
    export(["--geojson", str(out), "--date", "2024-11-01"], capsys)
    data = json.loads(out.read_text())
    assert data["type"] == "FeatureCollection" and "crs" not in data
    control = [f["properties"] for f in data["features"] if f["properties"]["layer"] == "control"]
    pangwa = [p for p in control if p.get("area_id") == "zone-pangwa"]
    assert [p["actor_id"] for p in pangwa] == ["KIA"] and pangwa[0]["sources"]
    flows = [f for f in data["features"] if f["properties"]["layer"] == "flows"]
    assert flows and all(f["geometry"]["type"] == "LineString" for f in flows)
    lon, lat = flows[0]["geometry"]["coordinates"][0]
    assert 90 < lon < 105 and 20 < lat < 30  # WGS84 longitude, latitude


def test_geojson_polygons_follow_the_right_hand_rule_and_unknown_zones_say_so(tmp_path, capsys):
    layers = tiny_layers()
    layers["control"] = layers["control"].iloc[[0]]   # the east zone has no control row
    dataset = write_layers(layers, tmp_path / "t.gpkg")
    out = tmp_path / "map.geojson"
    export(["--geojson", str(out), "--date", "2024-06-01", "--dataset", str(dataset)], capsys)
    features = json.loads(out.read_text())["features"]
    east = [f["properties"] for f in features if f["properties"].get("area_id") == "zone-east"]
    assert [(p["status"], p["zone"]) for p in east] == [("unknown", "Easttown zone")]
    for feature in features:
        if feature["geometry"]["type"] == "MultiPolygon":
            ring = feature["geometry"]["coordinates"][0][0]
            area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))
            assert area2 > 0, "exterior rings are counterclockwise (RFC 7946 section 3.1.6)"


def test_geojson_keeps_unknown_routes_and_a_gaps_own_note_and_sources(tmp_path, capsys):
    """Routes with no status on the date were left out (the window draws them "status
    unknown"), and a zone's control_gaps row (Shin Bway Yang's placeholder, with its
    sources) was replaced by a fixed sentence with no sources."""
    out = tmp_path / "map.geojson"
    export(["--geojson", str(out), "--date", "2022-03-01"], capsys)    # the embedded briefing
    features = [f["properties"] for f in json.loads(out.read_text())["features"]]
    routes = {p["route_id"]: p["status"] for p in features if p["layer"] == "flows"}
    assert len(routes) == 5 and set(routes.values()) == {"unknown"}
    export(["--geojson", str(out), "--date", "2024-11-25", "--force"], capsys)
    features = [f["properties"] for f in json.loads(out.read_text())["features"]]
    [gap] = [p for p in features if p.get("gap_id") == "gap-shin-bway-yang-1"]
    assert gap["status"] == "unknown" and gap["reason"] == "placeholder"
    assert "phase-1" in gap["note"] and len(gap["sources"]) == 2


def test_a_route_named_by_its_status_says_the_status_once(tmp_path, capsys):
    """The India route was "Proposed: Kachin rare earths to India: proposed"."""
    layers = tiny_layers()
    layers["flows"]["route_name"] = "Proposed: Gold to Easttown"
    layers["flows"]["status"] = ["proposed", "halted"]
    out = tmp_path / "briefing.kml"
    export(["--kml", str(out), "--dataset", str(write_layers(layers, tmp_path / "p.gpkg"))], capsys)
    [document] = kml.KML.parse(str(out)).features
    routes = [p.name for p in {f.name: f.features for f in document.features}["Routes"]]
    assert routes == ["Proposed: Gold to Easttown", "Proposed: Gold to Easttown: halted"]


def test_a_kml_span_without_an_end_says_how_long_it_is_known_to_hold(tmp_path, capsys):
    """An open row's balloon said "Valid 2024-10-19 to still holding": no source says so."""
    import pandas as pd

    layers = tiny_layers()
    path = write_layers(layers, tmp_path / "t.gpkg")
    out = tmp_path / "t.kml"
    export(["--kml", str(out), "--dataset", str(path)], capsys)
    assert "still holding" not in out.read_text()
    assert "Valid 2024-10-19 to at least 31 Dec 2024 (last day of the dataset)" in out.read_text()
    layers["dataset_meta"] = pd.concat([layers["dataset_meta"], pd.DataFrame(
        {"key": ["data_current_to"], "value": ["2024-11-30"]})])
    path = write_layers(layers, tmp_path / "late.gpkg")
    export(["--kml", str(out), "--dataset", str(path), "--force"], capsys)
    assert "Valid 2024-10-19 to at least 30 Nov 2024 (data current to)" in out.read_text()


def test_an_event_with_an_end_date_spans_its_days_in_the_kml(tmp_path, capsys):
    """"Imports from Myanmar fall sharply in 2024" (Jan to 30 Nov 2024) was one TimeStamp:
    Google Earth showed it in January only."""
    layers = tiny_layers()
    layers["events"]["end_date"] = [None, "2024-11-30", None]
    out = tmp_path / "e.kml"
    export(["--kml", str(out), "--dataset", str(write_layers(layers, tmp_path / "e.gpkg"))], capsys)
    [document] = kml.KML.parse(str(out)).features
    events = {p.name: p.times for p in {f.name: f.features for f in document.features}["Events"]}
    span = events["Month-only event"]
    assert (str(span.begin), str(span.end)) == ("2024-10", "2024-12-01")   # through 30 Nov
    assert str(events["Gate closes"].timestamp) == "2024-10-22"


def test_the_kml_carries_the_datasets_date_title_checksum_and_notes_as_data(tmp_path, capsys):
    """QGIS lists ExtendedData: the Document had none (no date the data is current to, no
    checksum), and a control row's note was only in the HTML description."""
    import hashlib

    import pandas as pd

    layers = tiny_layers()
    layers["dataset_meta"] = pd.concat([layers["dataset_meta"], pd.DataFrame(
        {"key": ["data_current_to"], "value": ["2024-11-30"]})])
    layers["control"].loc[2, "note"] = "KIA said so <first>"
    path = write_layers(layers, tmp_path / "d.gpkg")
    out = tmp_path / "d.kml"
    export(["--kml", str(out), "--dataset", str(path)], capsys)
    schema = etree.XMLSchema(etree.parse(str(KML_SCHEMA)))
    tree = etree.parse(str(out))
    assert schema.validate(tree), schema.error_log
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    data = {d.get("name"): d.findtext("k:value", namespaces=ns)
            for d in tree.xpath("/k:kml/k:Document/k:ExtendedData/k:Data", namespaces=ns)}
    assert data == {"data_current_to": "2024-11-30", "title": "Tiny test briefing",
                    "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    notes = tree.xpath("//k:Placemark/k:ExtendedData/k:Data[@name='note']/k:value/text()",
                       namespaces=ns)
    assert notes == ["KIA said so <first>"]


def test_kml_draws_routes_status_unknown_where_no_row_covers_them(tmp_path, capsys):
    """With no flow row (all routes 2021-2022 in the briefing) Google Earth's slider
    showed no route, while the window draws them "status unknown"."""
    layers = tiny_layers()
    layers["flows"]["valid_from"] = ["2024-03-01", "2024-11-01"]
    layers["flows"]["valid_to"] = ["2024-10-22", "2024-12-01"]
    out = tmp_path / "u.kml"
    export(["--kml", str(out), "--dataset", str(write_layers(layers, tmp_path / "u.gpkg"))], capsys)
    schema = etree.XMLSchema(etree.parse(str(KML_SCHEMA)))
    assert schema.validate(etree.parse(str(out))), schema.error_log
    [document] = kml.KML.parse(str(out)).features
    unknown = {f.name: f.features for f in document.features}["No sourced route status"]
    # Half-open, as rows: each span ends the day a row starts again (or the range ends).
    assert [(p.name, str(p.times.begin), str(p.times.end)) for p in unknown] == [
        ("r1: status unknown", "2024-01-01", "2024-03-01"),
        ("r1: status unknown", "2024-10-22", "2024-11-01"),
        ("r1: status unknown", "2024-12-01", "2025-01-01")]
    assert all(p.style_url.url == "#route-unknown" and p.geometry for p in unknown)


@pytest.mark.parametrize("argv, message", [
    (["--kml", "x.kml", "--date", "2024-01-01"], "--kml writes every date"),
    (["--geojson", "x.geojson"], "--geojson needs --date"),
    (["--kml", "x.kml", "--out", "x.png"], "--out cannot be used with --kml"),
    (["--geojson", "/nonexistent/x.geojson", "--date", "2024-11-01"], "does not exist"),
    # Options that only draw maps: each was ignored without a word.
    *[(["--kml", "x.kml", option, value], f"{option} cannot be used with --kml")
      for option, value in (("--extent", "96,24,99,28"), ("--layers", "routes"),
                            ("--title", "T"), ("--caption", "C"), ("--pdf", "h.pdf"),
                            ("--from", "2024-01-01"), ("--width", "800"), ("--dpi", "300"),
                            ("--fps", "4"), ("--paper", "letter"), ("--min-importance", "2"))],
    (["--kml", "x.kml", "--briefing"], "--briefing cannot be used with --kml"),
    # Any name was written: `--kml c.gpkg` replaced a GeoPackage with KML.
    (["--kml", "x.gpkg"], "--kml x.gpkg: use a file name ending in .kml"),
    (["--geojson", "x.txt", "--date", "2024-11-01"], "ending in .geojson or .json"),
])
def test_bad_data_exports_are_one_error_line(argv, message, capsys):
    assert main(["export", *argv]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_an_existing_file_is_kept_without_force(tmp_path, capsys):
    out = tmp_path / "map.kml"
    out.write_text("mine")
    assert main(["export", "--kml", str(out)]) == 1
    assert "--force" in capsys.readouterr().err and out.read_text() == "mine"


@pytest.mark.parametrize("name, flag", [("briefing.kml", "--kml"), ("briefing.json", "--geojson")])
def test_a_data_export_never_replaces_its_dataset_even_with_force(name, flag, tmp_path, capsys):
    """`export --kml c.gpkg --dataset c.gpkg --force` replaced the GeoPackage, edit log
    and all, with KML, and said nothing."""
    dataset = write_layers(tiny_layers(), tmp_path / "briefing.gpkg").rename(tmp_path / name)
    before = dataset.read_bytes()
    through_dots = tmp_path / "sub" / ".." / name
    (tmp_path / "sub").mkdir()
    date = ["--date", "2024-11-01"] if flag == "--geojson" else []
    assert main(["export", flag, str(through_dots), "--dataset", str(dataset), "--force",
                 *date]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert "is the dataset being exported" in line and dataset.read_bytes() == before


def test_kml_says_where_control_is_not_sourced(tmp_path, capsys):
    out = tmp_path / "kachin.kml"
    export(["--kml", str(out)], capsys)   # the embedded briefing has control_gaps rows
    schema = etree.XMLSchema(etree.parse(str(KML_SCHEMA)))
    assert schema.validate(etree.parse(str(out))), schema.error_log
    [document] = kml.KML.parse(str(out)).features
    gaps = {f.name: f.features for f in document.features}["No sourced control"]
    assert gaps and all(p.name.endswith(": no sourced control") for p in gaps)
    assert all(p.times.begin is not None for p in gaps)


def test_exports_past_the_data_say_they_show_the_last_known_state(tmp_path, capsys):
    """A date after `data_current_to`: the GeoJSON says its features are the last known
    state, and the KML names the day its open spans are known to."""
    import pandas as pd

    layers = tiny_layers()
    layers["dataset_meta"] = pd.concat([layers["dataset_meta"], pd.DataFrame(
        {"key": ["data_current_to"], "value": ["2024-10-22"]})])
    path = write_layers(layers, tmp_path / "late.gpkg")
    out = tmp_path / "late.geojson"
    export(["--geojson", str(out), "--date", "2024-12-01", "--dataset", str(path)], capsys)
    data = json.loads(out.read_text())
    assert (data["data_current_to"], data["last_known_state"]) == ("2024-10-22", True)
    export(["--kml", str(tmp_path / "late.kml"), "--dataset", str(path)], capsys)
    assert "Data current to 22 Oct 2024: a span without an end is the last known state" in \
        (tmp_path / "late.kml").read_text()
