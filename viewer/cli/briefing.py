"""`kachin-viewer export --briefing [ID]`: a briefing as a PDF handout or a PNG pack.

`--pdf handout.pdf` writes a cover page and one page per chapter (`--paper
a4|letter`); `--out-dir` writes each chapter as a numbered PNG with an index
page. Without an ID the dataset's first briefing with chapters is used.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viewer.cli.common import CliError, list_written, load, terminal_safe


def add_arguments(export: argparse.ArgumentParser) -> None:
    group = export.add_argument_group("briefing")
    group.add_argument("--briefing", nargs="?", const="", metavar="ID",
                       help="export a briefing's chapters (default: the dataset's first briefing "
                            "with chapters)")
    group.add_argument("--pdf", type=Path,
                       help="with --briefing: write a PDF handout to this file")
    group.add_argument("--paper", choices=("a4", "letter"),
                       help="paper size of the handout (default a4)")


def run_briefing_export(args: argparse.Namespace, ensure_gui, progress) -> int:
    """The --briefing branch of `export`; arguments checked before loading anything."""
    if args.pdf is None and args.out_dir is None:
        raise CliError("--briefing needs --pdf FILE (a handout) or --out-dir FOLDER (a PNG pack)")
    if args.pdf is not None and args.out_dir is not None:
        raise CliError("give one of --pdf FILE or --out-dir FOLDER with --briefing")
    if args.pdf is not None and args.pdf.suffix.lower() != ".pdf":
        raise CliError(f"--pdf {args.pdf.name}: use a file name ending in .pdf")
    # What the chapters set themselves: given here, it was ignored without a word.
    chapters_own = [name for name, given in (
        ("--date", args.date), ("--dates", args.dates), ("--every", args.every),
        ("--from", args.start), ("--to", args.end), ("--key-events", args.key_events),
        ("--out", args.out), ("--extent", args.extent), ("--layers", args.layers),
        ("--title", args.title), ("--caption", args.caption)) if given]
    if chapters_own:
        raise CliError(f"{chapters_own[0]} cannot be used with --briefing (each chapter has its "
                       "own date, view, layers and caption)")
    ensure_gui()
    from viewer import export
    from viewer.model.briefing import find_briefing
    from viewer.render.renderer import MapRenderer

    dataset = load(args.dataset)
    try:
        briefing = find_briefing(dataset.briefings, args.briefing or None)
    except KeyError as error:
        raise CliError(error.args[0]) from None
    _warn_of_chapters(dataset, briefing)
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


def _warn_of_chapters(dataset, briefing) -> None:
    """The file's warnings about the chapters exported, on stderr: a chapter dated outside
    the data's range was drawn (all "no sourced information" before it) without a word."""
    chapters = {chapter.chapter_id for chapter in briefing.chapters}
    for problem in dataset.warnings:
        if problem.layer == "briefing_chapters" and problem.row in chapters:
            print(terminal_safe(problem), file=sys.stderr)
