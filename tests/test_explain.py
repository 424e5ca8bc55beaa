"""`caro --explain CMD`: the explanation from a real model server (llama-cpp-python's own),
the manual-page fallback when only the embedded model is there, and bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator

import pytest
import respx

from caro_py.explain import (
    answer_text,
    clean_lines,
    explain,
    from_descriptions,
    programs,
    tldr_summary,
)
from tests._backend_fixtures import make_settings, ollama_answer, sent_json
from tests._llama_server import llama_server, smollm2_gguf
from tests.conftest import run_caro
from tests.test_cli_e2e import write_config

ALIAS = "smollm2-135m-explain"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A real llama_cpp.server with a real instruct model, for this module."""
    with llama_server(smollm2_gguf(), alias=ALIAS, chat_format="chatml", n_ctx=2048) as url:
        yield url


def whatis_knows(name: str) -> bool:
    whatis = shutil.which("whatis")
    if whatis is None:
        return False
    return subprocess.run([whatis, name], capture_output=True).returncode == 0


@pytest.mark.slow
@pytest.mark.server
def test_explain_asks_a_real_server_and_runs_nothing(server: str, tmp_path) -> None:
    write_config("[backend.lmstudio]\nmax_tokens = 64\n")
    marker = tmp_path / "must-not-exist"
    done = run_caro(
        [
            *("--json", "--backend", "lmstudio", "--base-url", server, "--timeout", "100"),
            *("--explain", f"touch {marker}"),
        ],
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["command"] == f"touch {marker}"
    assert data["source"] == f"lmstudio · {ALIAS}"
    assert data["explanation"] and all(line.strip() for line in data["explanation"])
    assert not marker.exists()


def test_with_only_the_embedded_model_the_knowledge_base_describes_and_says_so() -> None:
    done = run_caro(["--backend", "embedded", "--explain", "ls -la | sort -r"])
    assert done.returncode == 0, done.stderr
    assert "tldr pages" in done.stdout
    assert "ls: List directory contents." in done.stdout
    assert "sort: Sort lines of text files." in done.stdout
    assert "embedded model writes commands" in done.stdout


@pytest.mark.skipif(not whatis_knows("bashbug"), reason="needs man-db's whatis and bash's manuals")
def test_a_program_tldr_lacks_is_described_by_its_manual_page() -> None:
    assert tldr_summary("bashbug") is None  # no tldr page: the manual has to answer
    described = from_descriptions("ls && bashbug")
    assert described.lines[1].startswith("bashbug: ") and len(described.lines[1]) > 10
    assert described.source == "tldr pages (the knowledge base) and manual pages (whatis)"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--explain", "  "], "only blanks"),
        (["--explain", "ls", "more", "words"], "takes no request text"),
        (["--explain", "ls", "--check", "ls"], "one of"),
    ],
)
def test_bad_explain_input_is_a_usage_error(args: list[str], says: str) -> None:
    done = run_caro(args)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr


def test_programs_are_each_simple_commands_first_word_and_the_word_after() -> None:
    command = "sudo find . -name '*.py' | xargs wc -l > out.txt && git commit -m x; ls -la"
    assert [name for name, _ in programs(command)] == ["sudo", "find", "xargs", "wc", "git", "ls"]
    assert ("git", "commit") in programs(command) and ("ls", "") in programs(command)
    assert [name for name, _ in programs("LANG=C /usr/bin/sort -u file; 'unbalanced")] == ["sort"]
    assert programs("ls; ls") == [("ls", None)]


def test_descriptions_come_from_the_knowledge_base_then_the_manual() -> None:
    described = from_descriptions("git commit -m x && ls -la && no-such-program-here")
    # tldr's page for the subcommand wins over the program's; links are cut off.
    assert described.lines[0] == "git commit: Commit files to the repository."
    assert described.lines[1] == "ls: List directory contents."
    assert len(described.lines) == 2  # nothing describes the third: it is left out
    assert described.source == "tldr pages (the knowledge base)"


def test_answer_text_reads_openai_and_ollama_bodies_and_cleans_lines() -> None:
    openai = {"choices": [{"message": {"role": "assistant", "content": "ls: lists"}}]}
    ollama = {"message": {"role": "assistant", "content": "<think>hm</think>\n```\nls: lists\n```"}}
    assert answer_text(openai) == "ls: lists"
    assert clean_lines(answer_text(ollama)) == ["ls: lists"]
    assert answer_text({"choices": []}) == "" and answer_text("junk") == ""


@respx.mock
def test_explain_speaks_ollamas_own_chat_api() -> None:
    """No Ollama server here: its wire format (POST /api/chat, stream false) through respx."""
    settings = make_settings()
    settings.backend_settings("ollama").model = "llama3.2:latest"
    chat = respx.post("http://localhost:11434/api/chat").respond(
        200, json=ollama_answer(content="ls: lists files\n-l: one per line, with details")
    )
    explanation = explain("ls -l", settings, backend="ollama")
    assert explanation.lines == ["ls: lists files", "-l: one per line, with details"]
    assert explanation.source == "ollama · llama3.2:latest"
    body = sent_json(chat.calls.last)
    assert body["stream"] is False and "tools" not in body
    assert body["messages"][-1] == {"role": "user", "content": "ls -l"}
