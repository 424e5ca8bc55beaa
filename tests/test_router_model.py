"""The router's trained model: its features, its training script, and the shipped weights."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from caro_py.knowledge.classifier import Classifier
from caro_py.knowledge.features import features, stem
from caro_py.knowledge.index import connect, platforms_for
from caro_py.knowledge.router import OTHER, Router, Weights, words

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))


def test_features_meet_the_forms_people_type() -> None:
    assert stem("files") == "file" and stem("directories") == "directory"
    assert stem("listing") == "list" and stem("process") == "process"
    # 'dir' and 'folder' read as tldr's 'directory'; the word itself is kept too.
    assert {"w:directory", "w:dir"} <= set(features("size of this dir"))
    assert "w:directory" in features("size of this folder")
    assert "w:uppercase" in features("convert to upper-case")
    # A file's name is one token; its parts name the format.
    found = set(features("unpack logs.tar.gz into /tmp/out"))
    assert {"w:<file>", "x:tar", "x:gz", "w:<path>", "b:decompress <file>"} <= found
    assert features("") == [] and features("!!! ???") == []


def test_the_shipped_model_loads_and_names_obvious_tools() -> None:
    model = Classifier.load(connect(), OTHER)
    assert model is not None
    guess = model.predict("count the lines in notes.txt")
    assert max(guess.probs, key=guess.probs.__getitem__) == "wc"
    assert 0.0 <= guess.other <= 1.0 and sum(guess.probs.values()) + guess.other <= 1.0 + 1e-6


@pytest.mark.parametrize(
    ("request_text", "tool"),
    [
        ("count the lines in notes.txt", "wc"),
        ("show running processes", "ps"),
        ("make a new directory called build", "mkdir"),
        ("kill the process with pid 1234", "kill"),
        ("how much disk space does this folder use", "du"),
    ],
)
def test_the_router_shows_the_obvious_tool_first(request_text: str, tool: str) -> None:
    route = Router(connect(), platforms_for("linux"), installed=None).route(request_text)
    assert route.chosen and route.chosen[0].tool == tool


def test_a_file_name_can_name_the_format() -> None:
    route = Router(connect(), platforms_for("linux"), installed=None).route(
        "pack the photos folder into a tar.gz"
    )
    assert "tar" in [c.tool for c in route.chosen]


def test_the_router_abstains_on_words_it_cannot_place() -> None:
    route = Router(connect(), platforms_for("linux"), installed=None).route("zzqx blorf wibble")
    assert route.chosen == ()


def test_the_model_mass_on_other_goes_to_the_hand_signals() -> None:
    w = Weights(clf_weight=0.5, hand_power=1.0, hand_floor=0.0)
    # The model is sure of 'ls'; the lexical signals alone favour 'gio'.
    sure = Router.blend({"ls": 1.0, "gio": 3.0}, {"ls": 0.9}, 0.1, w)
    assert sure["ls"] > sure["gio"]
    assert sum(sure.values()) == pytest.approx(1.0)  # no floor: a whole distribution
    # The model says 'none of mine': the hand signals decide.
    unsure = Router.blend({"ls": 1.0, "gio": 3.0}, {"ls": 0.02}, 0.98, w)
    assert unsure["gio"] > unsure["ls"]
    # A lone weak hand score is not a sure one when there is a floor.
    floored = Router.blend({"show": 5.0}, {}, 1.0, Weights(hand_power=1.0, hand_floor=20.0))
    assert floored["show"] == pytest.approx(0.2)


def test_a_base_without_a_model_routes_by_hand(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "kb.sqlite")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    assert Classifier.load(db, OTHER) is None
    hand = Router(connect(), platforms_for("linux"), installed=None, trained=False)
    assert hand.classifier() is None and hand.route("list files").chosen


def tiny_base(path: Path) -> None:
    """A knowledge base with three pages, in the schema build_kb.py writes."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from build_kb import SCHEMA

    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    pages = {
        "tar": ["Create an archive from files", "Extract an archive", "List an archive"],
        "pwd": ["Print the current directory", "Print the physical directory"],
        "gio": ["Mount a volume", "Open a file with its default application"],
    }
    for name, descriptions in pages.items():
        db.execute("INSERT INTO pages VALUES ('common', ?, ?, ?, 0, 0)", (name, name, name))
        for text in descriptions:
            db.execute(
                "INSERT INTO examples (platform, page, description, command) "
                "VALUES ('common', ?, ?, ?)",
                (name, text, name),
            )
    db.executemany(
        "INSERT INTO route (text, page, platform, kind) VALUES (?, ?, 'common', 'request')",
        [("where am i", "pwd"), ("which folder am i in", "pwd"), ("pack src up", "tar")],
    )
    db.execute("INSERT INTO prior VALUES ('tar', 5)")
    db.execute("INSERT INTO meta VALUES ('tldr_commit', 'test')")
    db.commit()
    db.close()


def test_training_writes_a_model_the_router_reads(tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    from train_router import main as train

    path = tmp_path / "kb.sqlite"
    tiny_base(path)
    assert train(["--db", str(path), "--epochs", "40", "--min-count", "1", "--lr", "1"]) == 0
    db = sqlite3.connect(path)
    classes = {page for (page,) in db.execute("SELECT page FROM clf_class")}
    # tar (everyday: prior) and pwd (a builtin) are named; gio is one of OTHER.
    assert classes == {"tar", "pwd", OTHER}
    model = Classifier.load(db, OTHER)
    assert model is not None
    guess = model.predict("where am i")
    assert max(guess.probs, key=guess.probs.__getitem__) == "pwd"
    assert model.predict("mount the volume").other > 0.5
    args = db.execute("SELECT value FROM meta WHERE key = 'clf_args'").fetchone()[0]
    assert "--epochs=40" in args


def test_a_named_tools_boost_is_not_scaled_by_its_commonness(tmp_path: Path) -> None:
    # "with gio": the user said which tool; an uncommon one gets the whole boost (it was
    # scaled by 0.55 before, a common one's by its prior: a rare named tool lost to it).
    path = tmp_path / "kb.sqlite"
    tiny_base(path)
    router = Router(sqlite3.connect(path), ("common",), installed=None, trained=False)
    request = "mount the volume with gio"
    lexical = router.lexical(words(request))[("gio", "common")]
    hand = router.signals(request).hand
    assert hand["gio"] == pytest.approx(
        lexical * router.weights.uncommon + router.weights.named_strong
    )
