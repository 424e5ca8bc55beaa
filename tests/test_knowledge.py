"""The knowledge base, router and retriever (caro_py.knowledge), and how examples reach prompts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backends import chat_prompt
from backends.embedded import chatml, functiongemma
from backends.examples_text import HEADER, render_examples, shown_command
from backends.protocol import Example, GenerationRequest, PlatformContext
from caro_py.knowledge import retrieve
from caro_py.knowledge.index import connect, platforms_for, shipped_path
from caro_py.knowledge.router import Router

TLDR = Path(__file__).resolve().parent.parent.parent / "shared" / "tldr-pages"
LINUX = PlatformContext("linux", "Debian GNU/Linux 12", "x86_64", "bash", "5.2", "gnu", "/tmp")


def nothing_installed(_tool: str) -> bool:
    return False


def router(os_name: str = "linux", installed=None) -> Router:
    return Router(connect(), platforms_for(os_name), installed=installed)


def test_the_knowledge_base_ships_with_its_attribution() -> None:
    path = shipped_path()
    assert path.is_file() and path.stat().st_size < 15_000_000
    attribution = (path.parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in attribution and "tldr-pages team and contributors" in attribution
    (commit,) = connect().execute("SELECT value FROM meta WHERE key = 'tldr_commit'").fetchone()
    assert re.fullmatch(r"[0-9a-f]{40}", commit) and commit in attribution
    if (TLDR / "PROVENANCE.md").is_file():
        assert commit in (TLDR / "PROVENANCE.md").read_text(encoding="utf-8")


def test_placeholders_are_kept_as_data() -> None:
    (command,) = (
        connect()
        .execute("SELECT command FROM examples WHERE command LIKE '%{{%' LIMIT 1")
        .fetchone()
    )
    assert "{{" in command and "}}" in command


@pytest.mark.parametrize(
    ("request_text", "tool"),
    [
        ("list running docker containers", "docker"),
        ("create a symbolic link to config.txt", "ln"),
        ("find files bigger than 100MB under /var/log", "find"),
        ("use rsync to copy the photos directory to server1", "rsync"),
    ],
)
def test_the_router_names_the_tool(request_text: str, tool: str) -> None:
    chosen = router(installed=nothing_installed).route(request_text).chosen
    assert tool in [c.tool for c in chosen]


def test_a_named_tool_is_shown_even_when_not_installed() -> None:
    chosen = router(installed=nothing_installed).route("use ffmpeg to convert video.mkv to mp4")
    assert chosen.chosen and chosen.chosen[0].tool == "ffmpeg"


@pytest.mark.parametrize(
    ("request_text", "tool"),
    [
        ("open the shop database with psql", "psql"),
        ("use pgcli to open the shop database", "pgcli"),
        ("list the tables with sqlite3 in app.db", "sqlite3"),
    ],
)
def test_an_uncommon_named_tool_is_shown_first(request_text: str, tool: str) -> None:
    chosen = router(installed=nothing_installed).route(request_text).chosen
    assert chosen and chosen[0].tool == tool


def test_common_tools_win_for_everyday_words() -> None:
    route = router().route("list files")
    assert route.chosen and route.chosen[0].tool in {"ls", "find"}
    assert "gio" not in [c.tool for c in route.chosen]


def test_no_confident_tool_means_no_examples() -> None:
    found = retrieve("zzqx blorf wibble", "linux")
    assert found.examples == () and found.route.chosen == ()
    assert retrieve("", "linux").examples == ()


def test_the_platform_decides_which_pages_exist() -> None:
    mac = [c.page for c in router("darwin").route("use diskutil to list disks").chosen]
    linux = [c.page for c in router("linux").route("use diskutil to list disks").chosen]
    assert mac and mac[0] == "diskutil" and "diskutil" not in linux


def test_retrieve_returns_at_most_k_examples_of_the_chosen_pages() -> None:
    for k in (1, 2, 4, 6):
        found = retrieve("extract backup.tar.gz into the build directory", "linux", k)
        assert 0 < len(found.examples) <= k
        assert {ex.page for ex in found.examples} <= set(found.pages)
    best = retrieve("extract a tar.gz archive", "linux", 1).examples[0]
    assert best.page == "tar" and "xtract" in best.description


def test_fts_syntax_in_a_request_is_inert() -> None:
    found = retrieve('grep "NEAR(a b)" AND OR NOT * ^ : {x}', "linux")
    assert isinstance(found.examples, tuple)


def test_shown_command_reads_like_tldr_clients_show_it() -> None:
    assert shown_command("tar {{[-x|--extract]}} {{[-f|--file]}} {{path/to/file.tar}}") == (
        "tar -x -f path/to/file.tar"
    )
    assert shown_command("awk '{print $1}' {{path/to/file}}") == "awk '{print $1}' path/to/file"


EXAMPLES = (
    Example("tar", "Extract an archive", "tar {{[-x|--extract]}} {{[-f|--file]}} {{a.tar}}"),
    Example("tar", "List an archive", "tar {{[-t|--list]}} {{[-f|--file]}} {{a.tar}}"),
)


def test_render_examples_block() -> None:
    block = render_examples(EXAMPLES)
    assert block.splitlines() == [
        HEADER,
        "- Extract an archive: tar -x -f a.tar",
        "- List an archive: tar -t -f a.tar",
    ]
    assert render_examples(()) == ""


def test_functiongemma_examples_follow_the_fixed_prefix() -> None:
    context = LINUX.describe()
    bare = functiongemma.render_prompt("untar it", context)
    shown = functiongemma.render_prompt("untar it", context, EXAMPLES)
    fixed = functiongemma.render_fixed_prefix(context)
    assert bare.startswith(fixed) and shown.startswith(fixed)
    assert bare == functiongemma.render_prompt("untar it", context, ())
    developer = shown.split("<end_of_turn>")[0]
    assert developer.endswith(render_examples(EXAMPLES))
    assert shown.endswith(functiongemma.PREFILL)


def test_chat_system_message_ends_with_the_examples() -> None:
    request = GenerationRequest("untar it", "bash", LINUX, EXAMPLES)
    system = chat_prompt.system_prompt(request, answer="tool")
    assert system.endswith(render_examples(EXAMPLES))
    plain = GenerationRequest("untar it", "bash", LINUX)
    bare = chat_prompt.system_prompt(plain, answer="tool")
    assert HEADER not in bare and system.startswith(bare)


def test_chatml_prompt_starts_with_its_fixed_prefix() -> None:
    for examples in ((), EXAMPLES):
        request = GenerationRequest("untar it", "bash", LINUX, examples)
        prompt = chatml.render_prompt(request)
        assert prompt.startswith(chatml.render_prefix(request))
        assert (HEADER in prompt) == bool(examples)


def _run_json(settings, request: str, capsys: pytest.CaptureFixture[str]) -> dict:
    import json
    import os

    from caro_py import pipeline

    options = pipeline.Options(request=request, as_json=True)
    pipeline.run(options, settings, started=0.0, env=os.environ)
    return json.loads(capsys.readouterr().out)


def test_servers_get_no_examples_unless_retrieval_is_turned_on(fake_server, capsys) -> None:
    """Unset, [retrieval] leaves server prompts alone (README: they cost latency there)."""
    from tests.test_pipeline import settings_for

    fake_server.answer_command("docker ps")
    obj = _run_json(settings_for(fake_server), "list running docker containers", capsys)
    assert obj["command"] == "docker ps"
    assert obj["sources"] == []  # what the model saw: nothing
    system = fake_server.chat_requests()[-1]["body"]["messages"][0]["content"]
    assert HEADER not in system


def test_sources_reach_the_server_and_the_json(fake_server, capsys) -> None:
    from tests.conftest import assert_result_schema
    from tests.test_pipeline import settings_for

    fake_server.answer_command("docker ps")
    settings = settings_for(fake_server)
    settings.retrieval.enabled = True
    obj = _run_json(settings, "list running docker containers", capsys)
    assert_result_schema(obj)
    assert obj["sources"] and {s["page"] for s in obj["sources"]} <= {"docker", "docker-ps"}
    assert set(obj["sources"][0]) == {"page", "description", "command"}
    assert obj["timings_ms"]["retrieve"] is not None
    system = fake_server.chat_requests()[-1]["body"]["messages"][0]["content"]
    assert HEADER in system and shown_command(obj["sources"][0]["command"]) in system


def test_retrieval_off_sends_no_examples(fake_server, capsys) -> None:
    from tests.test_pipeline import settings_for

    fake_server.answer_command("docker ps")
    settings = settings_for(fake_server)
    settings.retrieval.enabled = False
    obj = _run_json(settings, "list running docker containers", capsys)
    assert obj["sources"] == [] and obj["timings_ms"]["retrieve"] is None
    system = fake_server.chat_requests()[-1]["body"]["messages"][0]["content"]
    assert HEADER not in system


def test_the_shipped_adapter_is_not_shown_examples_unless_asked() -> None:
    from backends.embedded.adapters import AdapterInfo
    from backends.embedded.inprocess import EmbeddedBackend
    from config.model import Settings

    shipped = AdapterInfo(Path("a.gguf"), "0" * 64, "shell-lora", None, True)
    retrained = AdapterInfo(Path("b.gguf"), "1" * 64, "b", None, False, reads_examples=True)
    auto = EmbeddedBackend(Settings())
    assert not auto.uses_examples("functiongemma", shipped)
    assert not auto.uses_examples("functiongemma", None)
    assert auto.uses_examples("functiongemma", retrained)
    assert auto.uses_examples("chatml", None)
    forced = Settings()
    forced.retrieval.enabled = True
    assert EmbeddedBackend(forced).uses_examples("functiongemma", shipped)


def test_the_dataset_builder_can_leave_out_a_page_or_an_example() -> None:
    text = "extract a tar.gz archive"
    full = retrieve(text, "linux", 4)
    assert full.pages[0] == "tar"
    first = full.examples[0]
    without_example = retrieve(text, "linux", 4, exclude_commands={first.command})
    assert first not in without_example.examples and without_example.examples
    without_page = retrieve(text, "linux", 4, exclude_pages={"tar"})
    assert "tar" not in without_page.pages


@pytest.mark.slow
@pytest.mark.model
def test_the_embedded_model_reads_examples_after_its_saved_prefix(tmp_path: Path) -> None:
    """A real model: examples change the prompt after the fixed prefix only, so the prefix
    state saved for one request is reused by the next, whatever examples each carries."""
    from backends.embedded.inprocess import EmbeddedBackend
    from backends.embedded.models import cache_root
    from backends.errors import NoUsableCommand
    from config.model import Settings

    settings = Settings()
    settings.retrieval.enabled = True
    settings.embedded.max_tokens = 32
    prefix_dir = tmp_path / "prefix"
    backend = EmbeddedBackend(settings, cache_dir=cache_root(), prefix_dir=prefix_dir)
    stats = []
    for text in ("extract backup.tar.gz", "list running docker containers"):
        request = GenerationRequest(text, "bash", LINUX, retrieve(text, "linux", 2).examples)
        assert request.examples
        try:
            result = backend.generate_sync(request)
            assert result.examples_used == request.examples
        except NoUsableCommand:
            pass  # the mechanics below hold whatever the small model answers
        stats.append(backend.last_stats)
    assert stats[0]["prefix_cache"] == "cold" and stats[1]["prefix_cache"] == "in-memory"
    assert stats[1]["cached_tokens"] > 0
    assert len(list(prefix_dir.iterdir())) == 1  # one saved state, for the fixed part


def test_the_retrieval_table_is_read_and_checked(tmp_path: Path) -> None:
    from config.errors import ConfigError
    from config.loader import load_settings
    from config.template import render_template

    good = tmp_path / "good.toml"
    good.write_text("[retrieval]\nenabled = false\nk = 2\nkk = 3\n")
    settings, warnings = load_settings(path=good, env={})
    assert (settings.retrieval.enabled, settings.retrieval.k) == (False, 2)
    assert any('"retrieval.kk"' in w for w in warnings)
    for bad in ("k = 0", "k = 17", 'enabled = "yes"', "k = 2.5"):
        path = tmp_path / "bad.toml"
        path.write_text(f"[retrieval]\n{bad}\n")
        with pytest.raises(ConfigError, match="retrieval"):
            load_settings(path=path, env={})
    template = tmp_path / "template.toml"
    template.write_text(render_template())
    settings, warnings = load_settings(path=template, env={})
    assert settings.retrieval.enabled is None and settings.retrieval.k == 4 and not warnings


def test_the_app_looks_examples_up_only_where_a_model_will_read_them(tmp_path: Path) -> None:
    from backends.embedded.examples_policy import may_get_examples
    from config.model import Settings

    shipped = Settings()  # the default base with the shipped adapter, trained with them
    assert may_get_examples(shipped) is True
    bare = Settings()
    bare.embedded.default_adapter = False  # the pretrained base alone never learned to read them
    assert may_get_examples(bare) is False
    on = Settings()
    on.retrieval.enabled = True
    assert may_get_examples(on) is True
    chatml = Settings()
    chatml.embedded.prompt_profile = "chatml"
    assert may_get_examples(chatml) is True
    off = Settings()
    off.embedded.enabled = False  # servers only: they go without unless enabled
    assert may_get_examples(off) is False
    unknown = Settings()
    unknown.embedded.model_path = str(tmp_path / "not-there.gguf")
    assert may_get_examples(unknown) is True  # decided at load


def test_unset_retrieval_costs_a_server_request_nothing(fake_server, capsys) -> None:
    from tests.test_pipeline import settings_for

    fake_server.answer_command("docker ps")
    settings = settings_for(fake_server)
    settings.embedded.enabled = False
    obj = _run_json(settings, "list running docker containers", capsys)
    assert obj["command"] == "docker ps" and obj["timings_ms"]["retrieve"] is None
