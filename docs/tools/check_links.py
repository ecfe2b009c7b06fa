"""Check the links between the pages of a built HTML site, offline.

    python docs/tools/check_links.py build/docs/html

Every ``href`` and ``src`` of every ``*.html`` file under the folder is checked:

* a relative link must name a file that exists inside the site (a link that climbs out of it is an error too);
* a ``#fragment`` must be the ``id`` (or ``name``) of an element in the target page (``#`` alone means the top);
* links with a scheme (``https:``, ``mailto:``, ``data:``, ...) or to another host are external: they are counted,
  never fetched, since the build has no network.

Each problem is printed as ``page: link: what is wrong``, and the exit status is 1 if there is any, 2 for a bad
argument, 0 otherwise. Sphinx's own checks (``-n -W``) already catch references between documents; this catches
what reaches the HTML by other routes: raw links in Markdown, theme templates, gallery pages, images.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

# Attributes that hold one URL. (srcset holds several, and Sphinx does not write it.)
LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src", "source": "src"}


@dataclass
class Page:
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.page.ids.add(str(values[key]))
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute) is not None:
            self.page.links.append(str(values[attribute]))


def parse(path: Path) -> Page:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    collector.close()
    return collector.page


def site_pages(root: Path) -> list[Path]:
    """The HTML pages of the site: not the theme's assets (``_static`` holds template fragments, not pages)."""
    return [path for path in sorted(root.rglob("*.html")) if "_static" not in path.relative_to(root).parts]


def check_site(root: Path) -> tuple[list[str], int]:
    """The problems found under ``root``, and the number of external links that were left unchecked."""
    root = root.resolve()
    pages = {path: parse(path) for path in site_pages(root)}
    problems: list[str] = []
    external = 0
    for path, page in pages.items():
        where = path.relative_to(root).as_posix()
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                external += 1
                continue
            if parts.path:
                target = (path.parent / unquote(parts.path)).resolve()
                if not target.is_relative_to(root):
                    problems.append(f"{where}: {link}: points outside the site")
                    continue
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    problems.append(f"{where}: {link}: no such file {PurePosixPath(target.relative_to(root))}")
                    continue
            else:
                target = path
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if fragment not in ids:
                    problems.append(f"{where}: {link}: no element with id {fragment!r} in {target.name}")
    return problems, external


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the links between the pages of a built HTML site, offline.")
    parser.add_argument("site", type=Path, help="the folder the HTML builder wrote")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"check_links: argument `site` expected a built site with an index.html, received {args.site}")
        return 2
    problems, external = check_site(args.site)
    count = len(site_pages(args.site.resolve()))
    for problem in problems:
        print(problem)
    verdict = f"{len(problems)} broken link(s)" if problems else "all internal links resolve"
    print(f"check_links: {count} pages, {verdict}; {external} external link(s) not checked (offline)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
