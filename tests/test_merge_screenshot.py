"""The HTML matrix renders: headless Chromium (through ``tools/screenshot``) draws it, in the
verdict colours."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import types
import zlib
from collections import Counter
from pathlib import Path

import pytest

from pytest_concurrency.claims.cli import main
from pytest_concurrency.claims.report_html import COLOURS

#: The development tool that pictures a page; not part of the installed package.
TOOL = Path(__file__).parents[1] / "tools" / "screenshot"

SPECS = """
import pytest

@pytest.mark.claim("BAS-1")
def test_holds():
    pass

@pytest.mark.claim("BAS-2", verdict="erratum", note="the default is not what the note says")
def test_erratum():
    pass

@pytest.mark.claim("BAS-3", verdict="conditional", note="only where it is so")
def test_conditional():
    pass
"""


def pixels(png: Path) -> Counter[tuple[int, int, int]]:
    """How many pixels of each colour an 8-bit RGB or RGBA PNG has (a small PNG decoder)."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, colour_type, interlace) in ((8, 2, 0), (8, 6, 0))
    size = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * size
    previous = bytearray(stride)
    counts: Counter[tuple[int, int, int]] = Counter()
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            left = line[x - size] if x >= size else 0
            up, corner = previous[x], previous[x - size] if x >= size else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                near = min(
                    (abs(guess - left), 0, left),
                    (abs(guess - up), 1, up),
                    (abs(guess - corner), 2, corner),
                )
                line[x] = (line[x] + near[2]) & 0xFF
        counts.update((line[x], line[x + 1], line[x + 2]) for x in range(0, stride, size))
        previous = line
    return counts


def rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def test_the_html_matrix_renders_in_the_verdict_colours(
    browser: types.ModuleType, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(test_specs=SPECS)
    pytester.runpytest("-p", "no:cacheprovider", "--claims-report=run.json")
    document = json.loads((pytester.path / "run.json").read_text("utf-8"))
    other = {**document, "interpreter": {**document["interpreter"], "version": "3.99.0"}}
    (pytester.path / "other.json").write_text(json.dumps(other), "utf-8")
    page, png = tmp_path / "matrix.html", tmp_path / "matrix.png"
    assert (
        main(
            [
                "merge",
                str(pytester.path / "run.json"),
                str(pytester.path / "other.json"),
                "-o",
                str(page),
            ]
        )
        == 0
    )

    command = [sys.executable, str(TOOL), str(page), "-o", str(png)]
    done = subprocess.run(
        [*command, "--width", "1200", "--height", "900"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {png.resolve()}"

    counts = pixels(png)
    assert sum(counts.values()) == 1200 * 900
    assert counts.most_common(1)[0][1] < 0.9 * 1200 * 900  # not a blank page
    for verdict in ("holds", "erratum", "conditional", "no spec"):  # two cells each, at least
        assert counts[rgb(COLOURS[verdict])] > 5000, f"no {verdict} cell drawn"


def test_the_tool_names_a_missing_page_with_exit_status_2(tmp_path: Path) -> None:
    command = [sys.executable, str(TOOL), str(tmp_path / "none.html"), "-o", "x.png"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert "none.html: no such file" in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_the_screenshot_command_left_the_package_and_says_where_it_went(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["screenshot", "matrix.html", "-o", "matrix.png"]) == 2
    assert "tools/screenshot" in capsys.readouterr().err
