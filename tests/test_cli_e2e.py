"""caro end to end as a real process against a real local HTTP server (tests/fakeserver.py).

stdin and stdout are pipes here (not a terminal): caro prints the command only and runs
it only with --yes. The terminal cases (y/N/e) are in test_cli_pty.py.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from tests.conftest import assert_result_schema, run_caro
from tests.fakeserver import FakeChatServer, Reply

# caro as a real process against a loopback server, a second or more each.
pytestmark = pytest.mark.slow

# Harmless commands whose risk class the real safety validator decides (see the asserts).
SAFE = "echo caro-ran-$((40+2))"  # runs print caro-ran-42; the text itself never does
CRITICAL = (
    "mkfs.ext4 /dev/sdz9"  # formats a disk; no machine has a 26th SCSI disk, so it could only fail
)
HIGH = "git reset --hard"  # destroys work; outside a repository it only errors
# The grammar cannot parse it (a stray parenthesis); a shell would refuse it too (exit 2).
UNPARSEABLE = "echo caro-ran-$((40+2)) )"

Caro = Callable[..., CompletedProcess[str]]


def write_config(text: str) -> Path:
    path = Path(os.environ["CARO_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def caro(fake_server: FakeChatServer, tmp_path: Path) -> Caro:
    """caro --backend lmstudio --base-url <fake>, with fallback off (no embedded model)."""
    write_config("fallback = false\n")
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        base = ["--backend", "lmstudio", "--base-url", fake_server.url]
        return run_caro([*base, *args], input=input, env=env, cwd=work)

    return run


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ------------------------------------------------------------------ the non-TTY rule


def test_not_a_terminal_prints_only_the_command_and_runs_nothing(
    caro: Caro, fake_server: FakeChatServer
) -> None:
    fake_server.answer_command(SAFE, explanation="Print a greeting")
    done = caro("print", "a", "greeting")
    assert done.returncode == 0, done.stderr
    assert done.stdout == SAFE + "\n"
    assert "caro-ran-42" not in done.stdout + done.stderr
    # The real HTTP path ran: the model list, then one chat request with our words in it.
    chat = fake_server.chat_requests()
    assert len(chat) == 1
    assert chat[0]["body"]["model"] == "fake-coder-1"
    assert "print a greeting" in json.dumps(chat[0]["body"]["messages"])
    assert "lmstudio" in done.stderr and "fake-coder-1" in done.stderr


def test_yes_runs_it_and_exits_with_the_commands_code(
    caro: Caro, fake_server: FakeChatServer
) -> None:
    fake_server.answer_command(f"{SAFE}; exit 7")
    done = caro("-y", "say something then fail")
    assert done.returncode == 7, done.stderr
    assert done.stdout.splitlines() == [f"{SAFE}; exit 7", "caro-ran-42"]


def test_dry_run_never_runs_even_with_yes(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(SAFE)
    done = caro("-n", "--yes", "greet")
    assert done.returncode == 0
    assert done.stdout == SAFE + "\n"


def test_request_from_stdin_and_from_p(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(SAFE)
    assert caro(input="  show the\n disk usage \n").returncode == 0
    assert caro("-p", "count the lines").returncode == 0
    sent = [json.dumps(r["body"]["messages"]) for r in fake_server.chat_requests()]
    assert "show the disk usage" in sent[0] and "count the lines" in sent[1]


def test_words_win_over_piped_stdin_and_say_so(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(SAFE)
    done = caro("count", "the", "lines", input="list files\n")
    assert done.returncode == 0, done.stderr
    assert "stdin was ignored: the request is taken from the arguments" in done.stderr
    sent = json.dumps(fake_server.chat_requests()[0]["body"]["messages"])
    assert "count the lines" in sent and "list files" not in sent
    quiet = caro("count", "the", "lines", input="")  # an empty pipe: nothing to mention
    assert quiet.returncode == 0 and "stdin was ignored" not in quiet.stderr


def test_model_flag_reaches_the_server(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(SAFE)
    assert caro("--model", "chosen-model", "greet").returncode == 0
    assert fake_server.chat_requests()[0]["body"]["model"] == "chosen-model"


def test_shell_flag_runs_the_command_in_that_shell(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command('echo "shell=$0"')
    done = caro("--shell", "sh", "-y", "which shell")
    assert done.returncode == 0, done.stderr
    ran_in = done.stdout.splitlines()[-1]
    assert ran_in.startswith("shell=") and Path(ran_in[len("shell=") :]).name == "sh"
    context = json.dumps(fake_server.chat_requests()[0]["body"]["messages"])
    assert "sh" in context


def test_verbose_shows_the_trail_and_timings(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(SAFE)
    done = caro("-v", "greet")
    assert done.returncode == 0
    assert "chosen explicitly" in done.stderr
    assert "timings:" in done.stderr and "total" in done.stderr
    assert "context:" in done.stderr


# ------------------------------------------------------------------ --json


def test_json_success_has_every_field(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(SAFE, explanation="Print a greeting")
    done = caro("--json", "greet")
    assert done.returncode == 0, done.stderr
    obj = json.loads(done.stdout)  # exactly one object: json.loads rejects anything extra
    assert_result_schema(obj)
    assert obj["request"] == "greet"
    assert obj["command"] == SAFE
    assert obj["explanation"] == "Print a greeting"
    assert (obj["backend"], obj["model"]) == ("lmstudio", "fake-coder-1")
    assert obj["fallback_from"] == []
    assert (obj["risk"], obj["decision"]) == ("safe", "allow")
    assert obj["executed"] is False and obj["exit_code"] == 0 and obj["error"] is None
    assert obj["timings_ms"]["generate"] > 0 and obj["timings_ms"]["total"] > 0


def test_json_with_yes_runs_and_keeps_stdout_for_the_object(
    caro: Caro, fake_server: FakeChatServer
) -> None:
    fake_server.answer_command(f"{SAFE}; exit 3")
    done = caro("--json", "--yes", "greet and fail")
    assert done.returncode == 3
    obj = json.loads(done.stdout)
    assert_result_schema(obj)
    assert obj["executed"] is True and obj["exit_code"] == 3 and obj["error"] is None
    assert "caro-ran-42" in done.stderr  # the command's own output went to stderr


# ------------------------------------------------------------------ every exit code


def test_exit_3_when_the_backend_is_down(fake_server: FakeChatServer, tmp_path: Path) -> None:
    write_config("fallback = false\n")
    url = f"http://127.0.0.1:{closed_port()}"
    done = run_caro(["--backend", "lmstudio", "--base-url", url, "greet"], cwd=tmp_path)
    assert done.returncode == 3
    assert "lmstudio" in done.stderr and "Traceback" not in done.stderr
    done = run_caro(["--json", "--backend", "lmstudio", "--base-url", url, "greet"], cwd=tmp_path)
    assert done.returncode == 3
    obj = json.loads(done.stdout)
    assert_result_schema(obj)
    assert obj["error"]["type"].startswith("backend") and obj["exit_code"] == 3
    assert obj["command"] is None and obj["executed"] is False


def test_exit_3_on_a_server_error(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_status(500, "<html><body>Internal Server Error</body></html>", "text/html")
    done = caro("--json", "greet")
    assert done.returncode == 3
    assert_result_schema(json.loads(done.stdout))


def test_timeout_flag_limits_the_wait(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(SAFE)
    fake_server.queue(Reply(body=None, delay_s=3.0))
    done = caro("--json", "--timeout", "0.5", "greet")
    assert done.returncode == 3
    obj = json.loads(done.stdout)
    assert obj["error"]["type"] == "backend_timeout"


def test_exit_6_when_the_model_refuses(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_text("I'm sorry, but I can't help with that request.")
    done = caro("--yes", "do something odd")
    assert done.returncode == 6
    assert done.stdout == "" and "Traceback" not in done.stderr
    done = caro("--json", "--yes", "do something odd")
    assert done.returncode == 6
    obj = json.loads(done.stdout)
    assert_result_schema(obj)
    assert obj["error"]["type"] == "no_command" and obj["executed"] is False


def test_exit_4_critical_is_blocked_even_with_yes(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(CRITICAL)
    done = caro("--yes", "format a disk")
    assert done.returncode == 4
    assert done.stdout == ""  # a blocked command is never handed to a pipe
    assert "blocked" in done.stderr and CRITICAL in done.stderr
    done = caro("--json", "--yes", "format a disk")
    obj = json.loads(done.stdout)
    assert_result_schema(obj)
    assert (obj["risk"], obj["decision"], obj["executed"]) == ("critical", "block", False)
    assert obj["command"] == CRITICAL and obj["findings"] and obj["error"]["type"] == "blocked"


def test_exit_4_yes_never_runs_what_does_not_parse(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(UNPARSEABLE)
    done = caro("-y", "greet")
    assert done.returncode == 4, done.stderr
    assert "could not be parsed as shell; not run without asking" in done.stderr
    assert "caro-ran-42" not in done.stdout + done.stderr
    assert "syntax error" not in done.stderr.lower()  # no shell saw it
    as_json = caro("--json", "-y", "greet")
    assert as_json.returncode == 4
    obj = json.loads(as_json.stdout)
    assert obj["executed"] is False and obj["error"]["type"] == "blocked"
    assert "parse.error" in [finding["rule_id"] for finding in obj["findings"]]


def test_exit_4_yes_refuses_high_risk(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(HIGH)
    done = caro("--yes", "throw away my changes")
    assert done.returncode == 4
    assert "--yes runs only safe and moderate commands" in done.stderr
    obj = json.loads(caro("--json", "-y", "throw away my changes").stdout)
    assert (obj["risk"], obj["decision"], obj["executed"]) == ("high", "confirm", False)


def test_exit_2_for_a_usage_error_before_any_request(caro: Caro) -> None:
    done = caro("--safety", "nope", "greet")
    assert done.returncode == 2 and "Usage:" in done.stderr


# ------------------------------------------------------------------ config and env, end to end


def test_safety_level_precedence_end_to_end(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(HIGH)
    write_config('fallback = false\nsafety = "strict"\n')
    assert json.loads(caro("--json", "x").stdout)["decision"] == "block"  # file
    env = {"CARO_SAFETY": "moderate"}
    assert json.loads(caro("--json", "x", env=env).stdout)["decision"] == "confirm"  # env
    flagged = caro("--json", "--safety", "strict", "x", env=env)
    assert json.loads(flagged.stdout)["decision"] == "block"  # flag
    assert flagged.returncode == 4


def test_deny_list_from_the_config_blocks(caro: Caro, fake_server: FakeChatServer) -> None:
    fake_server.answer_command(SAFE)
    write_config('fallback = false\n[safety]\ndeny = ["caro-ran"]\n')
    done = caro("--json", "greet")
    assert done.returncode == 4
    assert json.loads(done.stdout)["decision"] == "block"


def test_auto_detection_falls_back_down_the_configured_order(tmp_path: Path) -> None:
    """Two real servers: exo (first in order) fails with 500, lmstudio answers."""
    broken, working = FakeChatServer().start(), FakeChatServer(models=["good-model"]).start()
    try:
        broken.answer_status(500, {"error": {"message": "out of memory"}})
        working.answer_command(SAFE)
        write_config(
            'order = ["exo", "lmstudio"]\ndetect_cache_seconds = 0\n'
            f'[backend.exo]\nbase_url = "{broken.url}"\n'
            f'[backend.lmstudio]\nbase_url = "{working.url}"\n'
            "[backend.ollama]\nenabled = false\n[backend.vllm]\nenabled = false\n"
            "[embedded]\nenabled = false\n"
        )
        done = run_caro(["--json", "greet"], cwd=tmp_path)
        obj = json.loads(done.stdout)
        assert_result_schema(obj)
        assert done.returncode == 0, done.stderr
        assert obj["backend"] == "lmstudio" and obj["model"] == "good-model"
        assert obj["fallback_from"] == ["exo"]
        plain = run_caro(["greet"], cwd=tmp_path)
        assert "falling back from exo to lmstudio" in plain.stderr
        # With the CARO_BACKEND variable naming one backend, there is no detection at all.
        env = {"CARO_BACKEND": "exo"}
        write_config(
            f'fallback = false\n[backend.exo]\nbase_url = "{broken.url}"\n'
            f'[backend.lmstudio]\nbase_url = "{working.url}"\n'
        )
        assert run_caro(["greet"], env=env, cwd=tmp_path).returncode == 3
    finally:
        broken.stop()
        working.stop()


def test_backends_table(fake_server: FakeChatServer, tmp_path: Path) -> None:
    port = closed_port()
    write_config(
        f'[backend.lmstudio]\nbase_url = "{fake_server.url}"\n'
        f'[backend.exo]\nbase_url = "http://127.0.0.1:{port}"\n'
        "[backend.ollama]\nenabled = false\n[embedded]\nenabled = false\n"
    )
    done = run_caro(["--backends", "--json"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)["backends"]}
    assert rows["lmstudio"]["up"] is True and rows["lmstudio"]["models"] == ["fake-coder-1"]
    assert rows["exo"]["up"] is False and rows["ollama"]["up"] is False
    table = run_caro(["--backends"], env={"COLUMNS": "200"}, cwd=tmp_path)
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    lmstudio = next(line for line in lines if "lmstudio" in line)
    assert "up" in lmstudio and fake_server.url in lmstudio and "fake-coder-1" in lmstudio
    assert "down" in next(line for line in lines if " exo " in line)
