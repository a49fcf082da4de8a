"""The command line: `validate`, `state`, `export`, `compare`, `coverage`, `edit`, `history`
need no window.

Each command lives in its own module with an `add_parsers(commands)` function;
`COMMANDS` lists them in the order `--help` shows them.
"""
from __future__ import annotations

import sys

from viewer import __version__
from viewer.cli import compare, coverage, edit, export, state
from viewer.cli.common import CliError, OneLineParser, terminal_safe

COMMANDS = (state, export, compare, coverage, edit)


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="kachin-viewer", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parsers(commands)
    return parser


def subcommand_names() -> tuple[str, ...]:
    """The names `kachin-viewer NAME …` hands to the command line instead of the window."""
    parser = build_parser()
    return tuple(parser._subparsers._group_actions[0].choices)  # argparse keeps them only here


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CliError as error:
        for line in str(error).splitlines():
            print(f"error: {terminal_safe(line)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
