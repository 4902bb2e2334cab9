r"""``concurrency-claims``: merge the claims reports of several runs; check conformance.

::

    concurrency-claims merge py310.json py313.json -o matrix.html -o matrix.md
    concurrency-claims merge .tox/claims -o .tox/claims/matrix.html   # every *.json in it
    concurrency-claims merge .tox/claims --sensitivity .tox/sensitivity/sensitivity.json \
        -o .tox/claims/matrix.md      # with the alterations that showed each claim fail
    concurrency-claims merge .tox/claims -o m.html --book-url ''   # IDs link to specs, not
                                                                   # to the claims book
    concurrency-claims conformance --implementations thread,loky,dask,asyncio,uvloop,rloop \
        -o conformance.html -o conformance.md -o conformance.json

Exit status: 0 done (``conformance``: every difference as expected), 1 (``conformance``) a
difference appeared or went away, 2 a usage error or a file that is not a readable claims
report (the message names the file and what is wrong), or ``screenshot``.

``screenshot`` was a development tool and left the package: it is ``tools/screenshot`` in the
repository (same arguments). For one release, ``concurrency-claims screenshot`` only says so
(exit status 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .book import DEFAULT_BOOK_URL
from .catalogue import LANGUAGES
from .files import FORMATS, check_path, write_matrix
from .matrix import MATRIX_SCHEMA, Matrix
from .report_json import ReportError, load
from .sensitivity import load_sensitivity

__all__ = ["build_parser", "main"]

_SCREENSHOT_MOVED = (
    "concurrency-claims: error: the screenshot command left the package (it was a development "
    "tool); run tools/screenshot from a checkout of the repository, with the same arguments: "
    "tools/screenshot PAGE.html -o PICTURE.png [--width W] [--height H]"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["screenshot"]:
        print(_SCREENSHOT_MOVED, file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    try:
        if args.command == "merge":
            return _merge(args.reports, args.output, args.sensitivity, args.language, args.book_url)
        return _conformance(args)
    except (ReportError, ValueError) as error:
        print(f"concurrency-claims: error: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:  # a pytest run that could not run (usage error, crash)
        print(f"concurrency-claims: error: {error}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, with a subparser per command (the reference pages of the
    documentation are generated from it)."""
    parser = argparse.ArgumentParser(
        prog="concurrency-claims",
        description="Work with the claims reports of pytest-concurrency-specs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    merge = commands.add_parser(
        "merge",
        help="combine the JSON reports of several runs into one claims-by-interpreter matrix",
    )
    merge.add_argument(
        "reports",
        nargs="+",
        type=Path,
        help="JSON reports (pytest --claims-report=X.json), or folders holding them",
    )
    merge.add_argument(
        "-o",
        "--output",
        action="append",
        required=True,
        type=Path,
        help=f"where to write the matrix; the extension picks the format ({', '.join(FORMATS)}); "
        "repeat for several",
    )
    merge.add_argument(
        "--language",
        choices=LANGUAGES,
        default=None,
        help="the language of the claims' text (default: that of the first report's run)",
    )
    merge.add_argument(
        "--sensitivity",
        type=Path,
        default=None,
        help="a sensitivity record (tox -e altered writes one): each claim then says which "
        "alterations of the interpreter showed its specs fail, or 'not shown to fail'",
    )
    merge.add_argument(
        "--book-url",
        default=DEFAULT_BOOK_URL,
        metavar="URL",
        help="where the claims book is published: the HTML matrix links each claim ID to its "
        f"page there (default: {DEFAULT_BOOK_URL}; '' links each ID to its first spec)",
    )
    conf = commands.add_parser(
        "conformance",
        help="run the contract specs on several executor kinds and loop flavours; write the "
        "claims-by-implementation matrix; compare the differences with those expected",
    )
    conf.add_argument(
        "--implementations",
        required=True,
        help="comma-separated executor kinds and loop flavours, e.g. "
        "thread,process-spawn,loky,dask,asyncio,uvloop,rloop",
    )
    conf.add_argument(
        "-o",
        "--output",
        action="append",
        default=[],
        type=Path,
        help=f"where to write the matrix ({', '.join(FORMATS)}); repeat for several",
    )
    conf.add_argument(
        "--expected",
        type=Path,
        default=Path("conformance/expected"),
        help="the folder of expected differences, <implementation>.toml each "
        "(default: conformance/expected)",
    )
    conf.add_argument(
        "--specs",
        action="append",
        default=None,
        help="spec paths to run (default: specs); repeat for several",
    )
    conf.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep each run's claims report and JUnit XML here (default: a temporary folder)",
    )
    conf.add_argument(
        "pytest_args",
        nargs=argparse.REMAINDER,
        help="after --, arguments for every pytest run (e.g. -- -p no:randomly)",
    )
    return parser


def _merge(
    sources: list[Path],
    outputs: list[Path],
    sensitivity: Path | None = None,
    language: str | None = None,
    book: str = "",
) -> int:
    for output in outputs:
        check_path(str(output), "-o")
    reports = [(str(path), load(path)) for path in _report_files(sources, outputs)]
    matrix = Matrix.from_reports(reports, language)
    matrix.book_url = book
    if sensitivity is not None and not sensitivity.exists():
        print(
            f"concurrency-claims: warning: no sensitivity record at {sensitivity} (tox -e "
            "altered writes it): the matrix says nothing of what showed the claims fail",
            file=sys.stderr,
        )
    elif sensitivity is not None:
        matrix.sensitivity = load_sensitivity(sensitivity)
        not_shown = matrix.not_shown_to_fail()
        print(f"{len(not_shown)} of {len(matrix.rows)} claims not shown to fail")
    for warning in matrix.warnings:
        print(f"concurrency-claims: warning: {warning}", file=sys.stderr)
    for output in outputs:
        write_matrix(output, matrix)
        print(f"wrote {output} ({len(matrix.rows)} claims x {len(matrix.columns)} runs)")
    return 0


def _report_files(sources: list[Path], outputs: list[Path]) -> list[Path]:
    """The report files named, with a folder standing for the ``*.json`` reports in it."""
    written = {output.resolve() for output in outputs}
    files: list[Path] = []
    for source in sources:
        if not source.is_dir():
            files.append(source)
            continue
        found = [
            path
            for path in sorted(source.glob("*.json"))
            if path.resolve() not in written and not _is_matrix(path)
        ]
        if not found:
            raise ReportError(f"{source}: a folder with no claims report (*.json) in it")
        files += found
    return files


def _is_matrix(path: Path) -> bool:
    """Whether ``path`` is a merged matrix (an earlier merge's output), not a run's report."""
    try:
        document: Any = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False  # load() will say what is wrong with it
    return isinstance(document, dict) and document.get("schema") == MATRIX_SCHEMA


def _conformance(args: argparse.Namespace) -> int:
    from . import conformance

    for output in args.output:
        check_path(str(output), "-o")
    names = [n.strip() for n in args.implementations.split(",") if n.strip()]
    if not names:
        raise ValueError("--implementations needs at least one executor kind or loop flavour")
    extra = [a for a in args.pytest_args if a != "--"]
    return conformance.main(
        names, args.output, args.expected, args.specs or ["specs"], extra, args.workdir
    )


if __name__ == "__main__":
    sys.exit(main())
