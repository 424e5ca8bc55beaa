"""caro_py.pipeline in-process: the result record, the --yes rule, block reasons."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from caro_py import pipeline
from caro_py.errors import BlockedError
from caro_py.jsonout import SCHEMA, Result
from config.loader import load_settings
from safety import Policy, Risk, assess
from tests.conftest import assert_result_schema
from tests.fakeserver import FakeChatServer
from tests.test_cli_e2e import CRITICAL, HIGH, SAFE, UNPARSEABLE, closed_port


def settings_for(server: FakeChatServer):
    settings, _ = load_settings(
        path=None,
        env={},
        overrides={"backend": "lmstudio", "base_url": server.url},
    )
    settings.fallback = False
    return settings


def test_run_in_process_fills_every_field(
    fake_server: FakeChatServer, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_server.answer_command(SAFE, explanation="Greet")
    options = pipeline.Options(request="greet", as_json=True)
    started = time.perf_counter()
    code = pipeline.run(options, settings_for(fake_server), started=started, env=os.environ)
    assert code == 0
    obj = json.loads(capsys.readouterr().out)
    assert_result_schema(obj)
    assert obj["command"] == SAFE and obj["explanation"] == "Greet"
    assert obj["timings_ms"]["total"] >= obj["timings_ms"]["generate"] > 0
    assert obj["timings_ms"]["detect"] == 0  # an explicit backend skips detection


def test_run_reports_a_shell_that_does_not_exist(
    fake_server: FakeChatServer, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(fake_server)
    settings.shell = "no-such-shell-xyz"
    code = pipeline.run(
        pipeline.Options(request="greet", as_json=True), settings, started=0.0, env=os.environ
    )
    assert code == 2
    obj = json.loads(capsys.readouterr().out)
    assert obj["error"]["type"] == "usage" and fake_server.chat_requests() == []


def test_default_result_matches_the_schema() -> None:
    result = Result()
    result.timings_ms["total"] = 1.234
    obj = json.loads(result.to_json())
    assert_result_schema(obj)
    assert list(obj) == list(SCHEMA)  # documented order
    assert obj["timings_ms"] == {
        "retrieve": None,
        "detect": None,
        "generate": None,
        "total": 1.23,
    }


@pytest.mark.parametrize(
    ("command", "risk", "yes_runs"),
    [(SAFE, Risk.SAFE, True), (HIGH, Risk.HIGH, False), (CRITICAL, Risk.CRITICAL, False)],
)
def test_yes_rule_follows_the_real_risk(command: str, risk: Risk, yes_runs: bool) -> None:
    assessment = assess(command, policy=Policy(level="permissive"))
    assert assessment.risk == risk
    if yes_runs:
        pipeline.require_yes_allowed(assessment)
    else:
        with pytest.raises(BlockedError, match="--yes runs only safe and moderate"):
            pipeline.require_yes_allowed(assessment)


def test_block_reason_names_policy_risk_and_findings() -> None:
    assessment = assess(CRITICAL, policy=Policy())
    reason = pipeline.block_reason(assessment)
    assert "moderate safety policy" in reason and "critical risk" in reason
    assert assessment.findings[0].message in reason


def test_make_policy_carries_the_config(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[safety]\nlevel = "strict"\nallow = ["^ls"]\ndeny = ["x"]\n')
    settings, _ = load_settings(path=path, env={})
    policy = pipeline.make_policy(settings)
    assert (policy.level, policy.allow, policy.deny) == ("strict", ("^ls",), ("x",))


def test_yes_never_runs_what_the_grammar_cannot_parse() -> None:
    assessment = assess(UNPARSEABLE, policy=Policy(level="permissive"))
    assert "parse.error" in [finding.rule_id for finding in assessment.findings]
    assert assessment.risk <= Risk.MODERATE  # so the risk rule alone would let it run
    with pytest.raises(BlockedError, match="could not be parsed as shell; not run without"):
        pipeline.require_yes_allowed(assessment)
    assert pipeline.unparsed(assessment)
    assert not pipeline.unparsed(assess(SAFE))


def test_verbose_shows_the_detection_trail_when_every_backend_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real selection code: two servers that refuse, the embedded model switched off."""
    config = tmp_path / "config.toml"
    config.write_text(
        'order = ["lmstudio", "ollama"]\n'
        f'[backend.lmstudio]\nbase_url = "http://127.0.0.1:{closed_port()}"\n'
        f'[backend.ollama]\nbase_url = "http://127.0.0.1:{closed_port()}"\n'
        "[embedded]\nenabled = false\n"
    )
    settings, _ = load_settings(path=config, env={})
    code = pipeline.run(
        pipeline.Options(request="greet", verbose=True), settings, started=0.0, env=os.environ
    )
    assert code == 3
    err = capsys.readouterr().err
    trail = [line for line in err.splitlines() if line.lstrip().startswith("·")]
    assert any("lmstudio" in line for line in trail), err
    assert any("ollama" in line for line in trail), err
    assert "caro: error:" in err
    # Without -v the same failure shows only the error.
    assert (
        pipeline.run(pipeline.Options(request="greet"), settings, started=0.0, env=os.environ) == 3
    )
    assert "·" not in capsys.readouterr().err


def test_cli_verbose_reaches_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from caro_py.cli import cli

    seen: list[bool] = []

    def record(options: pipeline.Options, settings, **_kwargs: object) -> int:
        seen.append(settings.verbose)
        return 0

    monkeypatch.setattr(pipeline, "run", record)
    for args, verbose in ((["-v", "greet"], True), (["greet"], False)):
        result = CliRunner().invoke(cli, args, input="")
        assert result.exit_code == 0, result.output
        assert seen.pop() is verbose
