"""The command line: the tools that need no window.

Each command lives in its own module with an `add_parsers(commands)` function;
`build_parser` adds them in the order `--help` shows them.
"""
from __future__ import annotations

import os
import sys

from viewer import __version__
from viewer.cli.common import WRITTEN, CliError, OneLineParser, terminal_safe

# The names `kachin-viewer NAME …` hands to the command line instead of the window,
# as the commands' modules name them, in the same order (a test holds the two the
# same). Written out so that opening the window neither imports those modules
# (12-28 ms) nor builds their parsers (11-20 ms, twice when a path is given).
SUBCOMMANDS = ("validate", "state", "export", "compare", "coverage", "edit", "history",
               "publish", "take-offline", "sync", "resolve")


def build_parser() -> OneLineParser:
    from viewer.cli import compare, coverage, edit, export, state, team

    parser = OneLineParser(prog="kachin-viewer", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for command in (state, export, compare, coverage, edit, team):
        command.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None, *, own_process: bool = False) -> int:
    """Run a command; its exit code. `own_process`: the process is the command's alone
    (not a test's), so an interrupted one may end it at once."""
    args = build_parser().parse_args(argv)
    WRITTEN.clear()
    try:
        code = args.run(args)
        sys.stdout.flush()  # a reader that went away shows here, not as a message at exit
        return code
    except BrokenPipeError:
        # `kachin-viewer state --json | head`: the reader has all it wants. Stop
        # quietly, as Unix tools do, and let nothing more reach the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for `yes | head`
    except MemoryError:
        print("error: out of memory (the dataset or the output is too large for the memory "
              "this machine has free)", file=sys.stderr)
        return 1
    except CliError as error:
        for line in error.lines:
            print(f"error: {terminal_safe(line)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        whole = f" after {', '.join(map(str, WRITTEN))} had been written (whole; kept)" if WRITTEN else ""
        print(f"error: interrupted{whole}", file=sys.stderr)
        if own_process:
            # Qt objects an interrupted drawing left in use (a painter, its image) would
            # be freed in no safe order: a crash one time in eight (exit -11, not 130).
            # Files are safe already: each write's `finally` has run; a cache entry
            # being written on its own thread is finished first (else its part stays).
            from viewer.io import cache

            cache.finish_writing()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        return 130
