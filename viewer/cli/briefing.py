"""`kachin-viewer export --briefing [ID]`: a briefing as a PDF handout or a PNG pack.

`--pdf handout.pdf` writes a cover page and one page per chapter (`--paper
a4|letter`); `--out-dir` writes each chapter as a numbered PNG with an index
page. Without an ID the dataset's first briefing is used.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from viewer.cli.common import CliError, list_written, load


def add_arguments(export: argparse.ArgumentParser) -> None:
    group = export.add_argument_group("briefing")
    group.add_argument("--briefing", nargs="?", const="", metavar="ID",
                       help="export a briefing's chapters (default: the dataset's first briefing)")
    group.add_argument("--pdf", type=Path,
                       help="with --briefing: write a PDF handout to this file")
    group.add_argument("--paper", choices=("a4", "letter"), default="a4",
                       help="paper size of the handout (default a4)")


def run_briefing_export(args: argparse.Namespace, ensure_gui, progress) -> int:
    """The --briefing branch of `export`; arguments checked before loading anything."""
    if args.pdf is None and args.out_dir is None:
        raise CliError("--briefing needs --pdf FILE (a handout) or --out-dir FOLDER (a PNG pack)")
    if args.pdf is not None and args.out_dir is not None:
        raise CliError("give one of --pdf FILE or --out-dir FOLDER with --briefing")
    if args.pdf is not None and args.pdf.suffix.lower() != ".pdf":
        raise CliError(f"--pdf {args.pdf.name}: use a file name ending in .pdf")
    dated = [name for name, given in (("--date", args.date), ("--dates", args.dates),
                                      ("--every", args.every), ("--key-events", args.key_events),
                                      ("--out", args.out)) if given]
    if dated:
        raise CliError(f"{dated[0]} cannot be used with --briefing (each chapter has its own date)")
    ensure_gui()
    from viewer import export
    from viewer.model.briefing import find_briefing
    from viewer.render.renderer import MapRenderer

    dataset = load(args.dataset)
    try:
        briefing = find_briefing(dataset.briefings, args.briefing or None)
    except KeyError as error:
        raise CliError(error.args[0]) from None
    renderer = MapRenderer(dataset)

    def write() -> list[Path]:
        if args.pdf is not None:
            return [export.export_handout(dataset, briefing, args.pdf, args.paper,
                                          overwrite=args.force, progress=progress,
                                          renderer=renderer)]
        options = export.ExportOptions(width=args.width, height=args.height, dpi=args.dpi)
        result = export.export_briefing_pack(dataset, briefing, args.out_dir, options,
                                             overwrite=args.force, progress=progress,
                                             renderer=renderer)
        return result.images + [result.index]

    return list_written(write)
