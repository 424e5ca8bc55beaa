"""tldr alias pages in the knowledge base: the examples the alias runs, from its original's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from _aliases import alias_of, derive  # noqa: E402
from _shellspec import parse_page  # noqa: E402
from build_kb import read_pages  # noqa: E402

from caro_py.knowledge import retrieve  # noqa: E402
from caro_py.knowledge.index import connect  # noqa: E402
from caro_py.render import source_page  # noqa: E402

TLDR = Path(__file__).resolve().parent.parent.parent / "shared" / "tldr-pages"

GZIP = """# gzip

> Compress/uncompress files with `gzip` compression (LZ77).

- Compress a file, replacing it with a `gzip` archive:

`gzip {{path/to/file}}`

- Decompress a file, replacing it with the original uncompressed version:

`gzip {{[-d|--decompress]}} {{path/to/file.gz}}`

- Decompress a file, keeping the original:

`gzip -dk {{path/to/file.gz}}`

- Decompress a file to a named output:

`gzip {{[-cd|--stdout --decompress]}} {{path/to/file.gz}} > {{path/to/file}}`

- List the contents of a compressed file:

`gzip -d {{[-l|--list]}} {{path/to/file.gz}}`
"""


def alias_page(name: str, expansion: str, pointer: str) -> str:
    return (
        f"# {name}\n\n> This command is an alias of `{expansion}`.\n\n"
        f"- View documentation for the original command:\n\n`tldr {pointer}`\n"
    )


def derived(name: str, expansion: str, pointer: str, original: str) -> list[str]:
    page = parse_page(alias_page(name, expansion, pointer), "common")
    alias = alias_of(page, page.name)
    assert alias is not None
    return [ex.command for ex in derive(alias, parse_page(original, "common"))]


def test_an_alias_gets_only_the_examples_it_runs_without_its_expansion() -> None:
    # 'Compress' is not what gunzip does; '-dk' may hide --decompress (and --keep: unknown
    # here); '-cd' bundles --stdout with it: left out rather than guessed.
    assert derived("gunzip", "gzip --decompress", "gzip", GZIP) == [
        "gunzip {{path/to/file.gz}}",
        "gunzip {{[-l|--list]}} {{path/to/file.gz}}",  # '-d' is --decompress on this page
    ]


def test_an_alias_of_several_options_needs_them_all() -> None:
    assert derived("zcat", "gzip --stdout --decompress", "gzip", GZIP) == [
        "zcat {{path/to/file.gz}} > {{path/to/file}}"
    ]


def test_a_subcommand_alias_reads_the_originals_spelling_choice() -> None:
    original = "# docker container ls\n\n> List containers.\n\n- List all:\n\n" + (
        "`docker {{[ps|container ls]}} {{[-a|--all]}}`\n"
    )
    assert derived("docker ps", "docker container ls", "docker container ls", original) == [
        "docker ps {{[-a|--all]}}"
    ]


def test_a_page_with_an_alias_note_and_its_own_examples_keeps_them(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    for platform in ("linux", "osx"):
        (tmp_path / platform).mkdir()
    (tmp_path / "common" / "egrep.md").write_text(
        "# egrep\n\n> Find patterns using extended regexes.\n"
        "> Note: This command is an alias of `grep --extended-regexp`.\n\n"
        "- Search for a repeated character:\n\n`egrep '{{a}}+' {{path/to/file}}`\n"
    )
    (tmp_path / "common" / "gzip.md").write_text(GZIP)
    (tmp_path / "common" / "gunzip.md").write_text(
        alias_page("gunzip", "gzip --decompress", "gzip")
    )
    # trash-cli points to a page that does not exist: nothing to show, so no page at all.
    (tmp_path / "common" / "trash-cli.md").write_text(alias_page("trash-cli", "trash", "trash"))
    pages = {kb.page.name: kb for kb in read_pages(tmp_path)}
    assert set(pages) == {"egrep", "gzip", "gunzip"}
    assert pages["egrep"].derived_from == "" and len(pages["egrep"].page.examples) == 1
    assert pages["gunzip"].derived_from == "gzip"
    assert all(ex.command.startswith("gunzip ") for ex in pages["gunzip"].page.examples)
    # The original measured without its page (build_kb.py --drop-pages): no alias copies.
    assert "gunzip" not in {kb.page.name for kb in read_pages(tmp_path, {"common/gzip"})}


@pytest.mark.skipif(not (TLDR / "pages").is_dir(), reason="no tldr pages at ../shared")
def test_the_real_alias_pages() -> None:
    pages = {(kb.page.platform, kb.page.name): kb for kb in read_pages(TLDR / "pages")}
    gunzip = pages["common", "gunzip"]
    assert gunzip.derived_from == "gzip"
    assert [ex.command for ex in gunzip.page.examples][:1] == ["gunzip {{path/to/file.gz}}"]
    assert pages["common", "zcat"].page.examples[0].command.startswith("zcat ")
    assert pages["common", "egrep"].derived_from == ""  # its own examples
    # GNU wc on macOS (`tldr -p common wc`): common wc's examples, as gwc.
    assert pages["osx", "gwc"].page.examples[0].command.startswith("gwc ")
    # `arch` is `uname --machine`; uname's only example of it bundles --processor: none.
    assert ("common", "arch") not in pages
    assert ("common", "trash-cli") not in pages  # its original has no page


def test_the_shipped_base_routes_and_shows_alias_pages() -> None:
    rows = (
        connect()
        .execute("SELECT command, derived_from FROM examples WHERE page = 'gunzip'")
        .fetchall()
    )
    assert rows and all(cmd.startswith("gunzip ") and origin == "gzip" for cmd, origin in rows)
    found = retrieve("gunzip the file logs.gz", "linux")
    assert found.pages[:1] == ("gunzip",)
    example = found.examples[0]
    assert example.derived_from == "gzip" and example.to_dict()["derived_from"] == "gzip"
    assert source_page(example) == "gunzip (from gzip)"
    plain = retrieve("extract the archive backup.tar.gz with tar", "linux").examples[0]
    assert "derived_from" not in plain.to_dict() and source_page(plain) == "tar"
