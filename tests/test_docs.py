"""The offline link checker of the documentation site (docs/tools/check_links.py), on small hand-made sites.

The site itself is built and checked by scripts/docs.sh; these tests make sure the checker finds what it must (a
missing page, a missing anchor, a link out of the site) and leaves alone what it must not (external links, valid
anchors, folders with an index.html, the theme's template fragments under _static).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "check_links", Path(__file__).resolve().parents[1] / "docs" / "tools" / "check_links.py"
)
assert _SPEC is not None
assert _SPEC.loader is not None
check_links = importlib.util.module_from_spec(_SPEC)
sys.modules["check_links"] = check_links  # its dataclasses look their module up there
_SPEC.loader.exec_module(check_links)


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html><head></head><body>{body}</body></html>"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "html"
    (root / "api").mkdir(parents=True)
    (root / "guide").mkdir()
    (root / "_images").mkdir()
    (root / "_images" / "figure.png").write_bytes(b"\x89PNG")
    (root / "guide" / "index.html").write_text(_page('<h1 id="guide">Guide</h1>'), encoding="utf-8")
    (root / "api" / "lowpass.html").write_text(
        _page('<dl><dt id="spectralcore.lowpass">lowpass</dt></dl><a name="legacy-anchor"></a>'), encoding="utf-8"
    )
    (root / "index.html").write_text(
        _page(
            '<a href="api/lowpass.html#spectralcore.lowpass">ok</a>'
            '<a href="api/lowpass.html#legacy-anchor">ok, by name</a>'
            '<a href="guide/">ok, a folder</a>'
            '<a href="#top">same page</a><span id="top"></span>'
            '<a href="#">the top</a>'
            '<img src="_images/figure.png">'
            '<a href="https://example.org/page#x">external</a><a href="mailto:a@b.c">mail</a>'
            '<img src="data:image/png;base64,AAAA">'
        ),
        encoding="utf-8",
    )
    # The theme ships Jinja fragments with unrendered links: not pages of the site.
    (root / "_static").mkdir()
    (root / "_static" / "macros.html").write_text(_page("<a href=\"{{ pathto('x') }}\">x</a>"), encoding="utf-8")
    return root


def test_a_correct_site_passes_and_external_links_are_only_counted(site: Path) -> None:
    problems, external = check_links.check_site(site)
    assert problems == []
    assert external == 3


def test_missing_pages_anchors_and_escapes_are_each_reported(site: Path) -> None:
    (site / "api" / "broken.html").write_text(
        _page(
            '<a href="lowpass.html#spectralcore.highpass">no such anchor</a>'
            '<a href="../gone.html">no such page</a>'
            '<img src="../_images/missing.png">'
            '<a href="#nowhere">no anchor here</a>'
            '<a href="../../outside.html">outside</a>'
        ),
        encoding="utf-8",
    )
    problems, _ = check_links.check_site(site)
    assert problems == [
        "api/broken.html: lowpass.html#spectralcore.highpass: no element with id 'spectralcore.highpass' in "
        "lowpass.html",
        "api/broken.html: ../gone.html: no such file gone.html",
        "api/broken.html: ../_images/missing.png: no such file _images/missing.png",
        "api/broken.html: #nowhere: no element with id 'nowhere' in broken.html",
        "api/broken.html: ../../outside.html: points outside the site",
    ]


def test_percent_encoded_links_are_decoded(site: Path) -> None:
    (site / "api" / "a b.html").write_text(_page('<p id="x y">z</p>'), encoding="utf-8")
    (site / "api" / "links.html").write_text(_page('<a href="a%20b.html#x%20y">ok</a>'), encoding="utf-8")
    assert check_links.check_site(site) == ([], 3)


def test_the_command_line_exit_status(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_links.main([str(site)]) == 0
    assert "all internal links resolve" in capsys.readouterr().out
    (site / "index.html").write_text(_page('<a href="missing.html">x</a>'), encoding="utf-8")
    assert check_links.main([str(site)]) == 1
    assert "index.html: missing.html: no such file missing.html" in capsys.readouterr().out
    assert check_links.main([str(tmp_path / "no-site")]) == 2
    assert "argument `site` expected a built site" in capsys.readouterr().out
