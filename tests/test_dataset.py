"""The dataset builder: tldr page parsing, placeholder filling and the by-page split."""

from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from _shellspec import (  # noqa: E402
    clean_description,
    fill_command,
    fill_placeholder,
    parse_page,
    split_of,
)

PAGE = """# frob

> Frobnicate files in a directory.
> More information: <https://example.invalid/frob>.

- Frob every file in a directory:

`frob {{path/to/directory}}`

- Frob a [r]ecursive tree, verbosely:

`frob {{[-r|--recursive]}} {{[-v|--verbose]}} {{path/to/directory}}`

- Frob files matching a pattern, keeping {{n}} backups:

`frob --keep {{5}} --match '{{*.ext}}' {{path/to/file1 path/to/file2 ...}}`
"""

ALIAS = """# frobnicate

> This command is an alias of `frob`.

- View documentation for the original command:

`tldr frob`
"""


def test_parse_page_reads_title_summary_and_pairs() -> None:
    page = parse_page(PAGE, "linux")
    assert page.name == "frob" and page.platform == "linux" and not page.is_alias
    assert page.summary.startswith("Frobnicate files")
    assert [e.command for e in page.examples] == [
        "frob {{path/to/directory}}",
        "frob {{[-r|--recursive]}} {{[-v|--verbose]}} {{path/to/directory}}",
        "frob --keep {{5}} --match '{{*.ext}}' {{path/to/file1 path/to/file2 ...}}",
    ]
    assert page.examples[1].description == "Frob a [r]ecursive tree, verbosely"


def test_alias_pages_are_recognised() -> None:
    assert parse_page(ALIAS, "common").is_alias


def test_clean_description_drops_mnemonic_brackets() -> None:
    assert clean_description("Frob a [r]ecursive tree using `xargs`") == (
        "Frob a recursive tree using xargs"
    )


def test_choices_resolve_to_one_option_and_keep_the_other_as_alternative() -> None:
    page = parse_page(PAGE, "linux")
    for seed in range(20):
        filled = fill_command(page.examples[1].command, random.Random(seed))
        assert "{{" not in filled.command and "[" not in filled.command
        parts = filled.command.split()
        assert parts[1] in {"-r", "--recursive"} and parts[2] in {"-v", "--verbose"}
        # Every other spelling of the flags, with the same directory, is an equivalent reference.
        assert len(filled.alternatives) == 3
        assert all(alt.endswith(" " + parts[3]) for alt in filled.alternatives)
        assert filled.command not in filled.alternatives


def test_placeholders_get_realistic_values_that_the_request_can_mention() -> None:
    rng = random.Random(3)
    filled = fill_command(
        "frob --keep {{5}} --match '{{*.ext}}' {{path/to/file1 path/to/file2 ...}}", rng
    )
    kinds = [kind for kind, _ in filled.mentions]
    assert kinds == ["number", "glob", "paths"]
    glob = filled.mentions[1][1]
    assert glob.startswith("*.") and glob != "*.ext"
    assert len(filled.mentions[2][1].split()) == 2
    assert all(value in filled.command for _, value in filled.mentions)


def test_fill_placeholder_kinds() -> None:
    rng = random.Random(0)
    value, kind = fill_placeholder("path/to/directory", rng)
    assert kind == "dir" and "path/to" not in value
    value, kind = fill_placeholder("path/to/file.pdf", rng)
    assert kind == "file" and value.endswith(".pdf") and value != "file.pdf"
    assert fill_placeholder("port", rng)[0].isdigit()
    assert fill_placeholder("username", rng)[1] == "username"
    assert fill_placeholder("f|d", rng)[0] in {"f", "d"}
    assert fill_placeholder("path/to/source.tar[.gz|.bz2]", rng)[0].endswith(
        (".tar.gz", ".tar.bz2")
    )


def test_split_is_deterministic_and_roughly_proportional() -> None:
    names = [f"page{i}" for i in range(2000)]
    splits = [split_of(n) for n in names]
    assert splits == [split_of(n) for n in names]
    assert 50 < splits.count("test") < 150 and 50 < splits.count("dev") < 150


def test_build_never_puts_one_page_in_two_splits(tmp_path: Path) -> None:
    import build_dataset

    pages = tmp_path / "pages"
    for platform in ("common", "linux", "osx"):
        (pages / platform).mkdir(parents=True)
    for i in range(60):
        text = PAGE.replace("# frob", f"# frob{i}")
        (pages / "common" / f"frob{i}.md").write_text(text)
        (pages / "osx" / f"frob{i}.md").write_text(text)  # the BSD variant: same page name
    (pages / "common" / "frobnicate.md").write_text(ALIAS)
    out = tmp_path / "data"
    assert (
        build_dataset.main(
            ["--pages", str(tmp_path), "--out", str(out), "--tokenize-with", "", "--k", "0"]
        )
        == 0
    )
    seen: dict[str, str] = {}
    for split in ("train", "dev", "test"):
        for line in (out / f"{split}.jsonl").read_text().splitlines():
            rec = json.loads(line)
            name = rec["page"].split("/", 1)[1]
            assert seen.setdefault(name, split) == split, f"{name} in {seen[name]} and {split}"
            assert rec["prompt"].endswith(
                "<start_function_call>call:execute_shell{command:<escape>"
            )
            assert rec["completion"] == rec["command"] + "<escape>}<end_function_call>"
            assert "frobnicate" not in rec["page"]  # the alias page is dropped
            if rec["platform"] == "macos":
                assert "BSD userland" in rec["context"]
    stats = json.loads((out / "stats.json").read_text())
    assert stats["alias_pages_dropped"] == 1
    assert len(set(seen.values())) >= 2


def test_a_request_that_names_no_tool_gets_the_tool_named() -> None:
    from build_dataset import name_the_tool

    rng = random.Random(0)
    named = name_the_tool("Display help", "zeroclaw doctor", rng)
    assert "zeroclaw doctor" in named and "help" in named.lower()
    # Already named (as a whole word): left alone.
    assert name_the_tool("Show the git log", "git log", rng) == "Show the git log"
    # A longer word that merely contains the tool's name does not count as naming it.
    assert "ls" in name_the_tool("List all files", "ls", rng).split()


def test_own_topics_keep_their_split_and_everyday_topics_hold_out_a_quarter() -> None:
    from _examples import OWN_FILE, everyday_files, load_topics
    from build_dataset import own_split

    # The first list was trained on under this split; moving a topic would leak it.
    for topic in load_topics(OWN_FILE):
        assert own_split(topic.topic, everyday=False) == split_of(f"caro/{topic.topic}")
    everyday = [
        own_split(t.topic, everyday=True) for path in everyday_files() for t in load_topics(path)
    ]
    assert 0.12 < everyday.count("test") / len(everyday) < 0.4


def test_every_topic_file_loads_and_no_topic_is_written_twice() -> None:
    from _examples import OWN_FILE, everyday_files, load_topics

    files = [OWN_FILE, *everyday_files()]
    assert len(files) >= 2, "scripts/data/own.jsonl and everyday.jsonl are the first two"
    names: dict[str, str] = {}
    for path in files:
        for topic in load_topics(path):
            assert names.setdefault(topic.topic, path.name) == path.name, (
                f"topic {topic.topic} is in {names[topic.topic]} and {path.name}"
            )


def test_later_topic_files_are_new_topics_with_eight_to_twelve_checked_requests() -> None:
    from _examples import OWN_FILE, everyday_files, load_topics
    from build_dataset import own_split

    # A command already taught by an earlier topic would make a held-out topic a seen one.
    earlier = {" ".join(t.command.split()) for t in load_topics(OWN_FILE)}
    earlier |= {" ".join(t.command.split()) for t in load_topics(everyday_files()[0])}
    later = [t for path in everyday_files()[1:] for t in load_topics(path)]
    for topic in later:
        assert 8 <= len(topic.requests) <= 12, topic.topic
        assert len(set(topic.requests)) == len(topic.requests), f"{topic.topic}: a repeat"
        assert topic.checked is not None, f"{topic.topic}: run scripts/check_examples.py"
        command = " ".join(topic.command.split())
        assert command not in earlier, f"{topic.topic} repeats an earlier topic's command"
        earlier.add(command)
    if later:
        held_out = [own_split(t.topic, everyday=True) for t in later].count("test")
        assert 0.15 < held_out / len(later) < 0.35


def test_load_topics_reads_optional_keys_and_writes_them_back(tmp_path: Path) -> None:
    from _examples import Topic, load_topics, write_topics

    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"topic": "a", "category": "files", "command": "ls -l", "requests": ["list"]}\n'
        "\n"
        '{"topic": "b", "category": "vcs", "command": "git status", "alternatives": ["git st"],'
        ' "requests": ["status?", "git status pls"], "checked": false, "setup": "git init -q"}\n'
    )
    topics = load_topics(path)
    assert topics == [
        Topic("a", "files", "ls -l", ("list",)),
        Topic("b", "vcs", "git status", ("status?", "git status pls"), ("git st",), False,
              "git init -q"),
    ]  # fmt: skip
    write_topics(path, topics)
    assert load_topics(path) == topics
    assert path.read_text().splitlines()[0] == (
        '{"topic": "a", "category": "files", "command": "ls -l", "requests": ["list"]}'
    )


def test_load_topics_names_the_file_and_line_of_a_bad_topic(tmp_path: Path) -> None:
    from _examples import ExampleFileError, load_topics

    good = '{"topic": "a", "category": "files", "command": "ls", "requests": ["list"]}'
    cases = {
        "{not json": "Expecting property name",
        '{"topic": "b", "category": "files", "command": "ls"}': "missing requests",
        '{"topic": "b", "category": "x", "command": "ls", "requests": ["r"], "cheked": true}': (
            "unknown key(s) cheked"
        ),
        '{"topic": "b", "category": "x", "command": "ls", "requests": []}': "requests must",
        '{"topic": "b", "category": "x", "command": "", "requests": ["r"]}': "command must",
        '{"topic": "b", "category": "x", "command": "ls", "requests": ["r"], "checked": 1}': (
            "checked must"
        ),
        good: "topic 'a' appears twice",
    }
    for line, message in cases.items():
        path = tmp_path / "bad.jsonl"
        path.write_text(good + "\n" + line + "\n")
        with pytest.raises(ExampleFileError, match=r"bad\.jsonl:2: ") as info:
            load_topics(path)
        assert message in str(info.value)


def test_own_training_examples_are_repeated_and_never_reach_test(tmp_path: Path) -> None:
    import build_dataset

    pages = tmp_path / "pages"
    (pages / "common").mkdir(parents=True)
    (pages / "common" / "frob.md").write_text(PAGE)
    out = tmp_path / "data"
    args = ["--pages", str(tmp_path), "--out", str(out), "--tokenize-with", "", "--k", "0"]
    assert build_dataset.main([*args, "--own-repeat", "2"]) == 0
    rows = {
        split: [json.loads(line) for line in (out / f"{split}.jsonl").read_text().splitlines()]
        for split in ("train", "test")
    }
    own_train = Counter(r["request"] for r in rows["train"] if r["source"] == "caro")
    assert own_train and set(own_train.values()) == {2}
    test_requests = {r["request"] for r in rows["test"] if r["source"] == "caro"}
    assert test_requests and not test_requests & set(own_train)


def test_no_request_is_written_under_two_topics() -> None:
    """The same words under a train topic and a test topic would leak the answer."""
    from _examples import OWN_FILE, everyday_files, load_topics

    owner: dict[str, str] = {}
    for path in [OWN_FILE, *everyday_files()]:
        for topic in load_topics(path):
            for request in topic.requests:
                key = " ".join(request.lower().split())
                assert owner.setdefault(key, topic.topic) == topic.topic, (
                    f"{request!r} is in {owner[key]} and {topic.topic}"
                )


def test_held_out_everyday_topics_land_only_in_test(tmp_path: Path) -> None:
    import build_dataset
    from _examples import everyday_files, load_topics
    from build_dataset import own_split

    pages = tmp_path / "pages"
    (pages / "common").mkdir(parents=True)
    (pages / "common" / "frob.md").write_text(PAGE)
    out = tmp_path / "data"
    assert (
        build_dataset.main(
            ["--pages", str(tmp_path), "--out", str(out), "--tokenize-with", "", "--k", "0"]
        )
        == 0
    )
    split_of_topic: dict[str, set[str]] = {}
    for split in ("train", "dev", "test"):
        for line in (out / f"{split}.jsonl").read_text().splitlines():
            rec = json.loads(line)
            if rec["source"] == "caro":
                split_of_topic.setdefault(rec["page"].removeprefix("caro/"), set()).add(split)
    for path in everyday_files():
        for topic in load_topics(path):
            assert split_of_topic[topic.topic] == {own_split(topic.topic, everyday=True)}


# --- retrieved examples in training prompts (scripts/_shown_examples.py) ---------------------


@pytest.fixture(scope="module")
def chooser():  # type: ignore[no-untyped-def]
    from _shown_examples import ExampleChooser

    return ExampleChooser(seed=3)


def _kb_page(chooser, name: str):  # type: ignore[no-untyped-def]
    """A tldr-format page rebuilt from the shipped knowledge base's rows for ``name`` (read at
    test time: no tldr text is copied into the repository)."""
    from _shellspec import parse_page

    rows = chooser.db.execute(
        "SELECT description, command FROM examples WHERE page = ? AND platform = 'common' "
        "ORDER BY id",
        (name,),
    ).fetchall()
    assert rows, f"{name} is not in the knowledge base"
    body = "".join(f"- {desc}:\n\n`{cmd}`\n\n" for desc, cmd in rows)
    return parse_page(f"# {name}\n\n> A tool.\n\n{body}", "common")


def test_dev_and_test_prompts_show_exactly_what_the_product_retrieves(chooser) -> None:  # type: ignore[no-untyped-def]
    from caro_py.knowledge import retrieve

    for text in ("compress the logs folder into logs.tar.gz", "show disk usage"):
        shown = chooser.choose("k", text, "linux", "tar", train=False)
        assert shown.how == "product"
        assert shown.examples == retrieve(text, "linux", router=chooser.routers["linux"]).examples
        assert len(shown.examples) <= chooser.k


def test_a_tldr_request_never_sees_its_own_example(chooser) -> None:  # type: ignore[no-untyped-def]
    import build_dataset

    page = _kb_page(chooser, "tar")
    records = build_dataset.tldr_records([page], variants_core=1, seed=5)
    assert records
    hows: Counter[str] = Counter()
    for i, rec in enumerate(records * 10):
        shown = chooser.choose(
            f"t{i}",
            rec["request"],
            "linux",
            "tar",
            train=True,
            page="tar",
            source_command=rec["tldr_command"],
        )
        hows[shown.how] += 1
        commands = {ex.command for ex in shown.examples}
        assert rec["tldr_command"] not in commands
        if shown.how == "page_removed":
            assert all(ex.page != "tar" for ex in shown.examples)
        if shown.how == "distractor":
            assert shown.examples and all(ex.page != "tar" for ex in shown.examples)
    assert set(hows) == {"product", "page_removed", "distractor"}


def test_shares_of_removed_pages_and_distractors(chooser) -> None:  # type: ignore[no-untyped-def]
    from _shown_examples import DISTRACTOR_SHARE, PAGE_REMOVED_SHARE

    n = 400
    hows = Counter(
        chooser.choose(
            f"s{i}", "extract the archive backup.tar", "linux", "tar", train=True, page="tar"
        ).how
        for i in range(n)
    )
    assert abs(hows["distractor"] / n - DISTRACTOR_SHARE) < 0.06
    removed = hows["page_removed"] / (n - hows["distractor"])
    assert abs(removed - PAGE_REMOVED_SHARE) < 0.08
    # Requests of our own (no page) never lose a page.
    own = Counter(
        chooser.choose(f"o{i}", "show disk usage", "linux", "df", train=True).how for i in range(50)
    )
    assert "page_removed" not in own


def test_training_prompts_are_the_product_rendering_and_the_target_keeps_the_values(
    chooser,  # type: ignore[no-untyped-def]
) -> None:
    import build_dataset

    from backends.embedded.functiongemma import render_prompt
    from backends.examples_text import HEADER, shown_command
    from backends.protocol import Example

    page = _kb_page(chooser, "tar")
    records = build_dataset.tldr_records([page], variants_core=3, seed=8)
    by_split = {"train": records, "dev": [], "test": []}
    build_dataset.show_examples(by_split, chooser)
    with_values = 0
    for rec in records:
        examples = tuple(Example(*ex) for ex in rec["examples"])
        assert rec["prompt"] == render_prompt(rec["request"], rec["context"], examples)
        assert (HEADER in rec["prompt"]) == bool(examples)
        shown = {shown_command(ex.command) for ex in examples}
        # The example the request was made from is never shown, filled or not.
        assert rec["command"] not in shown
        assert shown_command(rec["tldr_command"]) not in shown
        if "{{path/to" in rec["tldr_command"]:
            # A placeholder was filled with a concrete value: the target carries it, the
            # examples shown keep tldr's placeholders.
            assert "path/to" not in rec["command"]
            with_values += 1
    assert with_values
