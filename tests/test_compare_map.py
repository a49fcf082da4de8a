"""The comparison map: changed zones at full strength, the rest dimmed; both dates in the
PNG's title and the change list in its text metadata."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from PIL import Image

from viewer.cli import main
from viewer.export import ExportOptions
from viewer.export.compare_png import compare_view, render_compare
from viewer.model.compare import compare
from viewer.render.compare_layer import CompareLayer
from viewer.render.renderer import MapRenderer

A, B = dt.date(2024, 9, 1), dt.date(2024, 11, 1)
SMALL = ExportOptions(width=800, height=500)


@pytest.fixture
def renderer(qapp, dataset):
    return MapRenderer(dataset)


def colour_at(image, renderer, view, lon, lat) -> np.ndarray:
    x, y = renderer.projector.points([lon], [lat])
    px, py = view.to_pixels(x, y)
    return np.array(image.pixelColor(int(px[0]), int(py[0])).getRgb()[:3])


def test_the_changed_zone_is_drawn_strong_and_the_unchanged_one_dimmed(renderer, dataset):
    comparison = compare(dataset, A, B)
    image = render_compare(renderer, comparison, SMALL)
    view = compare_view(renderer, CompareLayer(renderer.prepared, comparison), SMALL)
    plain = renderer.render_image(view, B)
    east = colour_at(image, renderer, view, 97.62, 25.38)    # KIA took it: KIA blue, strong
    west = colour_at(image, renderer, view, 97.12, 25.38)    # unchanged: under the veil
    west_plain = colour_at(plain, renderer, view, 97.12, 25.38)
    assert east[2] > east[0] + 80, east                      # blue well above red
    assert west.sum() > west_plain.sum() + 60, (west, west_plain)


def test_cli_png_says_both_dates_and_carries_the_change_list(tmp_path, capsys):
    out = tmp_path / "compare.png"
    assert main(["compare", "--from", "2024-09-01", "--to", "2024-11-25", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    text = Image.open(out).text
    assert "1 Sep 2024 → 25 Nov 2024" in text["Title"]
    assert (text["Compared from"], text["Compared to"]) == ("2024-09-01", "2024-11-25")
    changes = text["Changes"].splitlines()
    assert any(line.startswith("Pangwa zone:") and "gained by KIA" in line for line in changes)
    assert any(line.startswith("Laiza crossing") and line.endswith("active → halted")
               for line in changes)


def test_the_labels_name_each_zone_as_a_zone_and_the_legend_says_who_each_actor_is(
        renderer, dataset):
    """"Easttown: Junta-id → KIA" named a town, not its zone, and an actor the legend of
    the later date does not list (the one who lost it) was an unexplained id."""
    from viewer.render.compare_layer import _zone_text

    layer = CompareLayer(renderer.prepared, compare(dataset, A, B))
    [(_, change)] = layer.zones
    assert _zone_text(change) == "Easttown zone: SAC → KIA"
    texts = [text for _, text in layer.legend_rows()]
    assert "SAC: Junta" in texts and "KIA: Kachin Independence Army" in texts


def test_compare_out_must_be_a_png(capsys):
    assert main(["compare", "--from", "2024-09-01", "--to", "2024-11-25", "--out", "x.jpg"]) == 1
    assert "the comparison map is a .png file" in capsys.readouterr().err


def test_the_legend_is_wide_enough_for_its_title(qapp):
    """With no change, "Changed 1 Mar 2026 → 1 Dec 2026" was wider than every row: it
    wrapped, and its second line lay under the first row."""
    from types import SimpleNamespace

    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFontMetricsF, QImage, QPainter

    from viewer.render import style
    from viewer.render.map_overlay import paint_legend

    image = QImage(800, 500, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    frame = SimpleNamespace(scale=1.0, view=SimpleNamespace(rect=QRectF(0, 0, 800, 500)))
    taken: list = []
    title = "Changed 1 Mar 2026 → 1 Dec 2026"
    paint_legend(painter, frame, [("veil", "Unchanged")], title, taken, lambda *_: None)
    painter.end()
    [box] = taken
    assert box.width() >= QFontMetricsF(style.font(12, bold=True)).horizontalAdvance(title) + 10


def test_the_veil_covers_the_room_kept_for_the_data_current_to_mark(qapp, tmp_path):
    """Before the data's last date no mark is drawn, but the compare veil left its room
    under the date label undimmed: an empty box on the map."""
    import pandas as pd
    from factory import tiny_layers, write_layers

    from viewer.io import read_dataset

    layers = tiny_layers()
    layers["dataset_meta"] = pd.concat([layers["dataset_meta"], pd.DataFrame(
        {"key": ["data_current_to"], "value": ["2024-12-01"]})], ignore_index=True)
    renderer = MapRenderer(read_dataset(write_layers(layers, tmp_path / "t.gpkg")))
    view = renderer.default_view(800, 500)
    layer = CompareLayer(renderer.prepared, compare(renderer.dataset, A, B))
    veiled = renderer.render_image(view, B, overlays=[layer])
    plain = renderer.render_image(view, B)
    box = renderer.painted_layout().mark_rect
    assert not box.isNull()
    spot = (int(box.center().x()), int(box.center().y()))
    assert veiled.pixelColor(*spot) != plain.pixelColor(*spot)


def test_place_names_are_drawn_over_the_comparison_and_its_callouts_keep_off_them(
        renderer, dataset):
    """The changed zone was drawn over the map's place names (Hopin's vanished under
    Lonton) and the callout sat on the name of the town it was about."""
    layer = CompareLayer(renderer.prepared, compare(dataset, A, B))
    view = compare_view(renderer, layer, SMALL)

    def letters_of_easttown(image) -> int:
        [name] = [label for label in renderer.painted_labels() if label.text == "Easttown"]
        box = name.box.toAlignedRect()
        return sum(1 for x in range(box.left(), box.right()) for y in range(box.top(), box.bottom())
                   if sum(image.pixelColor(x, y).getRgb()[:3]) < 200)

    plain = letters_of_easttown(renderer.render_image(view, B))
    assert plain > 50
    assert letters_of_easttown(renderer.render_image(view, B, overlays=[layer])) >= plain


def test_every_callout_of_a_crowded_comparison_stays_on_the_map(qapp):
    """Moved down past every place name, 15 of 22 callouts of a whole-region comparison
    went off the map's bottom, and their zones had no label."""
    from PySide6.QtGui import QImage, QPainter

    from viewer.cli import EMBEDDED_DATASET
    from viewer.io import read_dataset
    from viewer.render.layers import Frame

    dataset = read_dataset(EMBEDDED_DATASET)
    renderer = MapRenderer(dataset)
    layer = CompareLayer(renderer.prepared, compare(dataset, dt.date(2024, 1, 1), dt.date(2024, 11, 15)))
    view = compare_view(renderer, layer, ExportOptions(width=1920, height=1080))
    renderer.render_image(view, dt.date(2024, 11, 15))
    names = [label.box for label in renderer.painted_labels()]
    image = QImage(1920, 1080, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    panels = renderer.painted_layout().obstacles(mark=False)   # title, legend, footer, …
    held = len(panels)
    layer.annotate(painter, Frame.of(view), panels, names)
    painter.end()
    callouts = panels[held:held + len(layer.zones)]
    assert len(layer.zones) >= 15 and all(view.rect.contains(box) for box in callouts)


def test_with_a_after_the_shown_date_changed_zones_are_drawn_as_on_the_shown_date(
        renderer, dataset):
    """A after B: the map said "as of 1 Sep 2024" but filled the zone with its holder
    on 1 Nov 2024 (KIA), who took it only later; it is drawn as on B, with its holder
    then (SAC), and the legend says so."""
    comparison = compare(dataset, B, A)   # A = 1 Nov, shown date B = 1 Sep
    layer = CompareLayer(renderer.prepared, comparison)
    view = compare_view(renderer, layer, SMALL)
    image = renderer.render_image(view, A, overlays=[layer])
    east = colour_at(image, renderer, view, 97.62, 25.38)
    assert east[0] > east[2] + 80, east                      # junta orange, not KIA blue
    texts = [text for _, text in layer.legend_rows()]
    assert "Changed hands (holder before the change): 1" in texts
    assert "Routes active → halted: 1" in texts


def annotated_boxes(renderer, layer, view, day, decorations=None):
    """The boxes `layer` adds over a rendered `view` (its key, its callouts), and the place
    names' boxes."""
    from PySide6.QtGui import QImage, QPainter

    from viewer.render.layers import Frame
    from viewer.render.overlay import SCREEN

    renderer.render_image(view, day, decorations=decorations or SCREEN)
    names = [label.box for label in renderer.painted_labels()]
    image = QImage(view.width, view.height, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    panels = renderer.painted_layout().obstacles(mark=False)
    held = len(panels)
    layer.annotate(painter, Frame.of(view), panels, names)
    painter.end()
    return panels[held:], names


def test_the_compare_key_is_on_the_map_beside_the_callouts_of_a_window_sized_view(qapp):
    """At a 1366x768 window ("Zones and routes", 25 Nov 2024 against 1 Jun 2025), the key
    was placed after the callouts, pushed up past them and off the map: not shown."""
    view, key, _names = window_sized_key(dt.date(2025, 6, 1), dt.date(2024, 11, 25))
    assert key.height() > 100 and view.rect.contains(key), key


def window_sized_key(a: dt.date, b: dt.date):
    """The embedded briefing compared at B with A in a 1366x768 window's map (the normal
    legend folded): the view, the compare key's box and the place names' boxes."""
    from dataclasses import replace

    from viewer.cli import EMBEDDED_DATASET
    from viewer.io import read_dataset
    from viewer.render.overlay import SCREEN

    dataset = read_dataset(EMBEDDED_DATASET)
    renderer = MapRenderer(dataset)
    layer = CompareLayer(renderer.prepared, compare(dataset, a, b))
    view = renderer.default_view(1030, 391)
    boxes, names = annotated_boxes(renderer, layer, view, b, replace(SCREEN, legend_collapsed=True))
    return view, max(boxes, key=lambda box: box.height()), names   # the callouts are one line high


def test_the_compare_key_goes_to_the_corner_where_it_covers_the_fewest_place_names(qapp):
    """At a 1366x768 window the key stood bottom left over Nam Mar, Mohnyin, Myo Hla,
    Banmauk and Shwegu while China's side of the map was nearly empty: it takes the
    corner that covers the fewest names, bottom left when it is as good as any."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    from viewer.render.layers import Frame
    from viewer.render.map_overlay import place_legend
    from viewer.render.view import MapView

    view, key, names = window_sized_key(dt.date(2024, 6, 1), dt.date(2026, 2, 20))
    assert view.rect.contains(key) and sum(key.intersects(name) for name in names) < 5
    assert key.left() > view.width / 2

    frame = Frame.of(MapView(0, 0, 1000, 1000, 400, 1.0))
    image = QImage(1000, 400, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    rows = [(None, "Changed hands: 3"), (None, "Unchanged (dimmed)")]
    scale_bar = QRectF(10, 350, 200, 40)
    left_names = [QRectF(x, y, 60, 15) for x in range(0, 450, 70) for y in range(0, 400, 30)]
    try:
        placed = place_legend(painter, frame, rows, "Changes", [QRectF(scale_bar)], left_names)
        assert placed.left() > 500 and placed.bottom() > 300          # bottom right: no names there
        everywhere = [QRectF(0, 0, 1000, 400)]                        # one in every corner
        placed = place_legend(painter, frame, rows, "Changes", [QRectF(scale_bar)], everywhere)
        assert placed.left() < 100 and placed.bottom() <= scale_bar.top()   # as before: above the bar
        # Bottom left over a name and bottom right over the changed zones: a top corner.
        names, changed = [QRectF(20, 300, 60, 15)], [QRectF(600, 150, 400, 250)]
        placed = place_legend(painter, frame, rows, "Changes", [QRectF(scale_bar)], names, changed)
        assert not placed.intersects(changed[0]) and not placed.intersects(names[0])
        assert placed.top() < 100
    finally:
        painter.end()


def test_a_crowded_comparison_labels_fewer_zones_and_keeps_the_town_names_clear(
        qapp, monkeypatch):
    """25 Nov 2024 against 1 Jan 2024 in a window-sized map: 15 callouts stacked in a
    column over Myitkyina, Laiza and Bhamo and hid their names ("Myitk…"). A callout with
    no room clear of the names is left out, and the key says how many the list holds."""
    from viewer.cli import EMBEDDED_DATASET
    from viewer.io import read_dataset
    from viewer.render import compare_layer

    keys = []
    monkeypatch.setattr(compare_layer, "draw_legend",
                        lambda painter, frame, room, rows, title, swatch: keys.append(rows))
    dataset = read_dataset(EMBEDDED_DATASET)
    renderer = MapRenderer(dataset)
    day = dt.date(2024, 11, 25)
    layer = CompareLayer(renderer.prepared, compare(dataset, dt.date(2024, 1, 1), day))
    view = renderer.default_view(1030, 391)
    [key, *callouts], names = annotated_boxes(renderer, layer, view, day)
    assert not [c for c in callouts if any(c.intersects(name) for name in names)]
    left_out = len(layer.zones) - len(callouts)
    assert left_out > 0 and keys[0][-1] == (None, f"+{left_out} more changes: see the change list")


def test_the_compare_key_draws_changes_in_no_partys_colour_and_says_which_date_is_drawn(
        renderer, dataset):
    """Beside the map's own legend, the key's "Changed hands" swatch was KIA blue (in the
    embedded briefing MNDAA green): it read as that actor; and nothing said its zones are
    drawn as on the shown date."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    from viewer.model.compare import CHANGED_HANDS
    from viewer.render.layers import Frame

    layer = CompareLayer(renderer.prepared, compare(dataset, A, B))
    image = QImage(40, 40, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFF)
    painter = QPainter(image)
    layer._swatch(painter, QRectF(5, 5, 30, 30), CHANGED_HANDS, Frame.of(renderer.default_view(800, 500)))
    painter.end()
    r, g, b = image.pixelColor(20, 20).getRgb()[:3]
    assert max(r, g, b) - min(r, g, b) < 12, (r, g, b)      # grey, not an actor's colour
    assert layer.title() == "Changes (drawn as on 1 Nov 2024)"
