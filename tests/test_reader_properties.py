"""Property-based checks of the reader: valid files load, corrupt ones say why."""
import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from factory import tiny_layers, write_layers
from viewer.io import DatasetError, read_dataset, validate
from viewer.io.problems import errors_in

FILE_SETTINGS = settings(max_examples=12, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture])

def fresh_path(tmp_path: Path) -> Path:
    """A new file per generated example (hypothesis reruns inside one tmp_path)."""
    return Path(tempfile.mkdtemp(dir=tmp_path)) / "briefing.gpkg"


day = st.dates(dt.date(2020, 1, 1), dt.date(2026, 1, 1))


@FILE_SETTINGS
@given(capture=day, gap=st.integers(1, 400))
def test_generated_valid_datasets_always_load(tmp_path, capture, gap):
    layers = tiny_layers()
    control = layers["control"]
    control.loc[0, "valid_from"] = control.loc[1, "valid_from"] = (capture - dt.timedelta(gap)).isoformat()
    control.loc[1, "valid_to"] = control.loc[2, "valid_from"] = capture.isoformat()
    dataset = read_dataset(write_layers(layers, fresh_path(tmp_path)))
    holder = dataset.control_on(capture).set_index("area_id").loc["zone-east", "actor_id"]
    assert holder == "KIA"


CORRUPTIONS = {
    # (layer, row, column): a value that breaks the format
    ("control", 0, "valid_from"): "2024-02-30",
    ("control", 1, "status"): "maybe",
    ("control", 2, "actor_id"): "NOBODY",
    ("control", 2, "confidence"): None,
    ("flows", 0, "to_place_id"): "atlantis",
    ("flows", 1, "valid_to"): "2024-10-01",
    ("events", 0, "date_precision"): "week",
    ("events", 1, "source_ids"): "s1;ghost",
    ("actors", 1, "color"): "#12345",
    ("series", 2, "value"): "lots",
    ("places", 0, "place_id"): "east",
}


@FILE_SETTINGS
@given(picks=st.lists(st.sampled_from(sorted(CORRUPTIONS, key=str)), min_size=1, max_size=4,
                      unique=True))
def test_generated_corruptions_always_give_clear_errors(tmp_path, picks):
    layers = tiny_layers()
    for layer, row, column in picks:
        frame = layers[layer]
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = CORRUPTIONS[(layer, row, column)]
    path = write_layers(layers, fresh_path(tmp_path))
    errors = errors_in(validate(path))
    for layer, _row, column in picks:
        assert any(e.layer == layer and e.column == column and path.name in str(e)
                   for e in errors), (layer, column, [str(e) for e in errors])
    try:
        read_dataset(path)
    except DatasetError as error:
        assert len(error.problems) >= len(picks)
    else:
        raise AssertionError("a corrupt file opened")


@FILE_SETTINGS
@given(data=st.binary(min_size=0, max_size=4096))
def test_random_bytes_never_raise_anything_but_a_clear_error(tmp_path, data):
    path = fresh_path(tmp_path)
    path.write_bytes(data)
    problems = validate(path)
    assert len(problems) == 1 and path.name in str(problems[0])
