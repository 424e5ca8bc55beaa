"""The command line without a backend: usage errors, config handling, --init-config,
--show-config, --json for errors. Backend runs are in test_cli_e2e.py and test_cli_pty.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from caro_py.cli import BACKEND_HELP, cli
from config.loader import load_settings
from config.model import BACKEND_NAMES, Settings
from tests.conftest import REPO, assert_result_schema, run_caro


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, prog_name="caro")


def config_path() -> Path:
    return Path(os.environ["CARO_CONFIG"])


def test_help_lists_every_backend_name() -> None:
    assert set(BACKEND_HELP.split(", ")) == {"auto", *BACKEND_NAMES}
    result = invoke("--help")
    assert result.exit_code == 0
    for flag in ("--backend", "--model", "--base-url", "--shell", "--safety", "--json",
                 "--dry-run", "--yes", "--timeout", "--config", "--verbose", "--check",
                 "--backends", "--show-config", "--init-config", "--version", "-p"):  # fmt: skip
        assert flag in result.stdout, flag


# ------------------------------------------------------------------ usage errors: exit 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ((), "no request given"),
        (("-p", "list files", "and", "more"), "not both"),
        (("-p", "   "), "-p held only blanks"),
        (("--show-config", "--backends"), "one of --backends, --show-config"),
        (("--show-config", "list", "files"), "--show-config takes no request"),
        (("--check", "ls", "list"), "--check takes no request"),
        (("--backend", "olama", "list files"), 'did you mean "ollama"'),
        (("--base-url", "localhost:1", "--backend", "lmstudio", "x"), "--base-url"),
        (("--shell", "no-such-shell-xyz", "-n", "list files"), "shell not found"),
        (("--check", ""), "--check needs a command"),
        (("--check", " \t\n"), "--check needs a command"),
        (("--json", "--check", "  "), "--check needs a command"),
        (("--config", "", "-n", "list files"), "--config is empty"),
        (("--model", "", "-n", "list files"), "--model is empty"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], needle: str) -> None:
    # CliRunner's stdin is not a terminal: an empty one is "no request" too.
    result = invoke(*args, input="")
    assert result.exit_code == 2, result.output
    assert needle in result.stderr or needle in result.stdout
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("--safety", "lax", "list files"),
        ("--timeout", "0", "list files"),
        ("--timeout", "soon", "list files"),
        ("--timeout", "nan", "list files"),
        ("--timeout", "inf", "list files"),
        ("--timeout", "-1e400", "list files"),
        ("--no-such-flag",),
    ],
)
def test_click_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr


def test_usage_error_with_json_is_one_json_object() -> None:
    result = invoke("--json", "--safety", "lax", "list files")
    assert result.exit_code == 2
    obj = json.loads(result.stdout)
    assert_result_schema(obj)
    assert obj["error"]["type"] == "usage" and "lax" in obj["error"]["message"]
    assert obj["exit_code"] == 2 and obj["executed"] is False


def test_our_usage_error_with_json_is_one_json_object() -> None:
    result = invoke("--json", input="")
    assert result.exit_code == 2
    obj = json.loads(result.stdout)
    assert_result_schema(obj)
    assert obj["error"] == {"type": "usage", "message": obj["error"]["message"]}
    assert "no request" in obj["error"]["message"]


# ------------------------------------------------------------------ config through the CLI


def test_broken_config_file_exit_2_with_path_and_line() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('backend = "exo"\norder = ["exo",\n', encoding="utf-8")
    done = run_caro(["-n", "list files"])
    assert done.returncode == 2
    assert str(path) in done.stderr and "line " in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_broken_config_file_with_json() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("fallback = maybe\n", encoding="utf-8")
    done = run_caro(["--json", "list files"])
    assert done.returncode == 2
    obj = json.loads(done.stdout)
    assert_result_schema(obj)
    assert obj["error"]["type"] == "config" and "line 1" in obj["error"]["message"]


def test_config_flag_must_exist(tmp_path: Path) -> None:
    result = invoke("--config", str(tmp_path / "nope.toml"), "--show-config")
    assert result.exit_code == 2
    assert "config file not found" in result.stderr


def test_unknown_key_warns_on_stderr_and_runs_on() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("probe_timeout = 100\n", encoding="utf-8")
    result = invoke("--show-config")
    assert result.exit_code == 0
    assert '"probe_timeout"' in result.stderr and 'did you mean "probe_timeout_ms"' in result.stderr


def test_init_config_writes_the_template_and_refuses_to_overwrite() -> None:
    path = config_path()
    path.unlink()  # conftest leaves an empty file there
    result = invoke("--init-config")
    assert result.exit_code == 0, result.output
    assert path.is_file() and str(path) in result.stderr
    settings, warnings = load_settings(path=path, env={})
    settings.source = None
    assert settings == Settings() and warnings == []
    before = path.read_text()
    again = invoke("--init-config")
    assert again.exit_code == 2
    assert "already exists" in again.stderr
    assert path.read_text() == before


def test_init_config_honours_config_flag(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "dir" / "caro.toml"
    result = invoke("--config", str(target), "--init-config", "--json")
    assert result.exit_code == 0 and target.is_file()
    assert json.loads(result.stdout) == {"written": str(target)}
    assert config_path().read_text() == ""  # the CARO_CONFIG file is left alone
    again = invoke("--config", str(target), "--init-config", "--json")
    assert again.exit_code == 2
    assert json.loads(again.stdout)["error"]["type"] == "config"


def test_show_config_text_reflects_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('safety = "strict"\nshell = "zsh"\ntimeout_seconds = 9\n', encoding="utf-8")
    monkeypatch.setenv("CARO_SHELL", "fish")
    result = invoke("--show-config", "--timeout", "4")
    assert result.exit_code == 0
    assert 'level = "strict"' in result.stdout  # file
    assert 'shell = "fish"' in result.stdout  # env beats file
    assert "timeout_seconds = 4.0" in result.stdout  # flag beats file
    assert str(path) in result.stdout


def test_show_config_json() -> None:
    result = invoke("--show-config", "--json", "--backend", "ollama", "--model", "m2")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["settings"]["backend"] == "ollama" and data["settings"]["model"] == "m2"
    assert data["warnings"] == [] and data["settings"]["source"] == str(config_path())


def test_missing_caro_config_file_warns_but_runs_on(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent.toml"
    done = run_caro(["--show-config"], env={"CARO_CONFIG": str(missing)})
    assert done.returncode == 0
    assert f"caro: warning: CARO_CONFIG names {missing}, which does not exist" in done.stderr
    assert "(none, defaults)" in done.stdout


def test_config_nan_and_inf_are_config_errors() -> None:
    path = config_path()
    for text in ("timeout_seconds = nan\n", "detect_cache_seconds = 1e400\n"):
        path.write_text(text, encoding="utf-8")
        done = run_caro(["--show-config"])
        assert done.returncode == 2, (text, done.stdout)
        assert "must be a finite number" in done.stderr and "line 1" in done.stderr


# ------------------------------------------------------------------ text that is not UTF-8


def test_non_utf8_stdin_is_a_usage_error() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "caro_py",
            "--backend",
            "lmstudio",
            "--base-url",
            "http://127.0.0.1:9",
            "-n",
        ],  # fmt: skip
        input=b"\xff\xfe\n",
        capture_output=True,
        cwd=REPO,
        timeout=30,
    )
    assert done.returncode == 2, done.stderr
    assert b"stdin is not valid UTF-8" in done.stderr
    assert b"Traceback" not in done.stderr and done.stdout == b""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([b"list \xff files"], b"the request is not valid UTF-8"),
        ([b"-p", b"\xfe"], b"-p is not valid UTF-8"),
        ([b"--check", b"ls \xff"], b"--check is not valid UTF-8"),
        ([b"--model", b"m\xff", b"x"], b"--model is not valid UTF-8"),
    ],
)
def test_non_utf8_arguments_are_usage_errors(args: list[bytes], needle: bytes) -> None:
    argv = [os.fsencode(sys.executable), b"-m", b"caro_py", b"--backend", b"lmstudio",
            b"--base-url", b"http://127.0.0.1:9", b"-n", *args]  # fmt: skip
    done = subprocess.run(argv, input=b"", capture_output=True, cwd=REPO, timeout=30)
    assert done.returncode == 2, done.stderr
    assert needle in done.stderr and b"Traceback" not in done.stderr


def test_json_non_utf8_stdin_is_one_json_object() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "caro_py", "--json", "-n"],
        input=b"\x80 list\n",
        capture_output=True,
        cwd=REPO,
        timeout=30,
    )
    assert done.returncode == 2
    obj = json.loads(done.stdout)
    assert_result_schema(obj)
    assert obj["error"]["type"] == "usage" and "UTF-8" in obj["error"]["message"]


# ------------------------------------------------------------------ --check


def test_check_allowed_exit_0_and_blocked_exit_4() -> None:
    ok = invoke("--check", "ls -la")
    assert ok.exit_code == 0, ok.output
    blocked = invoke("--check", "rm -rf /")
    assert blocked.exit_code == 4


def test_check_json_and_policy_from_config() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[safety]\ndeny = ["^ls\\\\b"]\n', encoding="utf-8")
    result = invoke("--check", "ls -la", "--json")
    assert result.exit_code == 4  # the deny pattern from the config blocks it
    data = json.loads(result.stdout)
    assert data["decision"] == "block"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [("--show-config",), ("--json", "--check", "ls"), ("-n", "ls")])
def test_output_that_cannot_be_written_is_a_message_not_a_traceback(args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "caro_py", "--backend", "lmstudio", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=30,
            env={**os.environ, "CARO_CONFIG": "/nonexistent/c.toml"},
        )
    assert "Traceback" not in done.stderr, done.stderr
    if args == ("-n", "ls"):
        return  # no server listens: the backend error comes first, still no traceback
    assert done.returncode == 1
    assert "cannot write the output" in done.stderr


def test_a_closed_stdout_still_gives_the_verdict_code() -> None:
    done = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -m caro_py --check "rm -rf /" >&- <&-'],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 4 and "Traceback" not in done.stderr, done.stderr


def test_a_config_path_that_is_not_utf8_prints(tmp_path: Path) -> None:
    name = os.fsdecode(b"c\xfc.toml")
    (tmp_path / name).write_text("fallback = false\n")
    done = subprocess.run(
        [sys.executable, "-m", "caro_py", "--show-config", "--config", str(tmp_path / name)],
        capture_output=True,
        timeout=30,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 0, done.stderr
    assert b"c\xfc.toml" in done.stdout
    as_json = run_caro(["--json", "--config", str(tmp_path / "n\udcfco.toml"), "-n", "ls"])
    assert as_json.returncode == 2 and json.loads(as_json.stdout)["error"]["type"] == "config"


def test_json_after_double_dash_is_request_text_not_the_flag() -> None:
    result = invoke("--timeout", "abc", "--", "--json", input="")
    assert result.exit_code == 2
    assert not result.output.lstrip().startswith("{")


def test_a_reader_that_goes_away_ends_quietly_with_exit_1() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "caro_py", "--check", "rm -rf /"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    proc.stdout.close()  # gone before caro (still importing) writes a byte
    err = proc.stderr.read()
    assert proc.wait(timeout=30) == 1
    assert "Traceback" not in err and "Exception ignored" not in err, err
