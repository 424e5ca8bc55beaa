"""The parser: every answer shape models produce, and the answers that must never run."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends.parsing import (
    FunctionCall,
    parse_functiongemma,
    parse_ollama_message,
    parse_openai_message,
    parse_text,
    parse_text_detailed,
)
from caro_py.errors import NoUsableCommand

# --------------------------------------------------------------------------- text shapes


@pytest.mark.parametrize(
    ("answer", "command"),
    [
        ("ls -la", "ls -la"),
        ("$ ls -la", "ls -la"),
        ("  docker ps  \n", "docker ps"),
        ("`docker ps`", "docker ps"),
        ('{"command": "docker ps"}', "docker ps"),
        ('{"cmd": "df -h"}', "df -h"),
        ('{"command": "$ uname -a"}', "uname -a"),
        ('Here you go: {"command": "df -h"} -- hope that helps', "df -h"),
        ("```bash\ndocker ps\n```", "docker ps"),
        ("Sure! Here is the command:\n```sh\n$ docker ps\n```\nIt lists containers.", "docker ps"),
        ('```json\n{"command": "free -m"}\n```', "free -m"),
        ("Use `docker ps` to list the running containers.", "docker ps"),
        ("The command is: docker ps", "docker ps"),
        ("Here is the command:\ndocker ps", "docker ps"),
        ("<think>ps or docker ps? docker ps.</think>docker ps", "docker ps"),
        ("<think>\nlong reasoning\n</think>\n\n```bash\ndocker ps\n```", "docker ps"),
        ("find . -name '*.log' -mtime +7 \\\n  -delete", "find . -name '*.log' -mtime +7 -delete"),
        ("ps aux |\n  grep python", "ps aux | grep python"),
        ('{"name": "execute_shell", "arguments": {"command": "uptime"}}', "uptime"),
        ('{"name": "run_shell", "parameters": {"cmd": "uptime"}}', "uptime"),
        ('echo "a: b"', 'echo "a: b"'),
        # Shell words that are also English must still read as commands.
        ('for f in *.txt; do echo "$f"; done', 'for f in *.txt; do echo "$f"; done'),
        ("if [ -f x ]; then cat x; fi", "if [ -f x ]; then cat x; fi"),
        ("yes | head -3", "yes | head -3"),
        ("command -v git", "command -v git"),
        ("which python3", "which python3"),
        ("time make", "time make"),
    ],
)
def test_text_shapes_yield_the_command(answer: str, command: str) -> None:
    assert parse_text(answer) == command


def test_json_explanation_is_kept() -> None:
    parsed = parse_text_detailed('{"command": "ls", "explanation": "lists files"}')
    assert (parsed.command, parsed.explanation, parsed.source) == ("ls", "lists files", "json")


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   \n\t",
        "<think>only thinking, then nothing</think>",
        "<think>cut off before the answer",
        "ls\npwd",
        "```\nls -la\npwd\n```",
        "```bash\nls\n```\nor\n```bash\nls -a\n```",
        '{"command": "ls"} or {"command": "ls -a"}',
        '{"command": ""}',
        '{"command": "cd /tmp\\nrm -rf build"}',
        "To list files: ls -la\nTo see hidden ones: ls -a",
        "I'm sorry, but I can't help with that.",
        "I cannot do that.",
        "Sorry, that would delete your system.",
        "As an AI, I won't run commands.",
        "Could you please clarify which directory you mean?",
        "Which container do you mean?",
        "Please specify the file name.",
        "I need more details about the target host.",
        "The answer depends on your distribution.",
        "not a command, sorry",
        "there is no such tool",
        '{"answer": 42}',
        "```bash\n```",
        '{"command": "rm -rf /tmp/x',
        '[{"name": "execute_shell", "arguments": {"command": "ls"',
    ],
)
def test_unusable_answers_raise(answer: str) -> None:
    with pytest.raises(NoUsableCommand):
        parse_text(answer)


def test_refusal_wins_over_an_inline_example() -> None:
    with pytest.raises(NoUsableCommand, match="declined"):
        parse_text("I can't run `rm -rf /` for you; it would destroy the system.")


# --------------------------------------------------------------------------- FunctionGemma


def test_functiongemma_native_call() -> None:
    text = (
        "<start_function_call>call:execute_shell{command:<escape>docker ps<escape>}"
        "<end_function_call>"
    )
    assert parse_text(text) == "docker ps"


def test_functiongemma_values_of_every_kind() -> None:
    text = (
        "<start_function_call>call:execute_shell{command:<escape>echo \"a {b}, c\" 'd'<escape>,"
        "count:3,ratio:0.5,neg:-2,dry:true,wet:false,none:null,"
        "opts:{depth:[1,2,<escape>x,y]<escape>],inner:{k:<escape>v<escape>}},empty:{},list:[]}"
        "<end_function_call>"
    )
    [call] = parse_functiongemma(text)
    assert call == FunctionCall(
        "execute_shell",
        {
            "command": "echo \"a {b}, c\" 'd'",
            "count": 3,
            "ratio": 0.5,
            "neg": -2,
            "dry": True,
            "wet": False,
            "none": None,
            "opts": {"depth": [1, 2, "x,y]"], "inner": {"k": "v"}},
            "empty": {},
            "list": [],
        },
    )
    assert parse_text(text) == "echo \"a {b}, c\" 'd'"


def test_functiongemma_several_calls_and_names() -> None:
    calls = parse_functiongemma(
        "call:a{x:1}<end_function_call> text <start_function_call>call:b{y:<escape>}{<escape>}"
    )
    assert calls == [FunctionCall("a", {"x": 1}), FunctionCall("b", {"y": "}{"})]


@pytest.mark.parametrize(
    "text",
    [
        "<start_function_call>call:execute_shell{command:<escape>ls",  # cut off
        "<start_function_call>call:execute_shell{command:<escape>ls<escape>",  # no brace
        "<start_function_call>call:get_weather{city:<escape>Paris<escape>}<end_function_call>",
        "<start_function_call>call:execute_shell{command <escape>ls<escape>}",  # no colon
        "<start_function_call>call:execute_shell{command:<escape>ls<escape>}"
        "<start_function_call>call:execute_shell{command:<escape>pwd<escape>}",
    ],
)
def test_functiongemma_unusable(text: str) -> None:
    with pytest.raises(NoUsableCommand):
        parse_text(text)


# --------------------------------------------------------------------------- chat messages


@pytest.mark.parametrize("name", ["execute_shell", "run_shell", "shell", "bash", "command"])
def test_openai_tool_call_names(name: str) -> None:
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps({"command": "ls -l"})},
            }
        ],
    }
    assert parse_openai_message(message) == "ls -l"


def test_openai_arguments_as_object_and_cmd_key() -> None:
    message = {"tool_calls": [{"function": {"name": "shell", "arguments": {"cmd": "ls"}}}]}
    assert parse_openai_message(message) == "ls"


def test_openai_unknown_tool_falls_back_to_content() -> None:
    message = {
        "content": '{"command": "uptime"}',
        "tool_calls": [{"function": {"name": "get_weather", "arguments": "{}"}}],
    }
    assert parse_openai_message(message) == "uptime"


def test_openai_content_parts_and_legacy_function_call() -> None:
    assert parse_openai_message({"content": [{"type": "text", "text": "`uname -r`"}]}) == (
        "uname -r"
    )
    legacy = {"function_call": {"name": "execute_shell", "arguments": '{"command": "id"}'}}
    assert parse_openai_message(legacy) == "id"


def test_openai_cut_off_arguments_are_unusable() -> None:
    calls = [{"function": {"name": "execute_shell", "arguments": '{"command": "rm -rf /tmp/x'}}]
    with pytest.raises(NoUsableCommand):
        parse_openai_message({"tool_calls": calls, "content": None})
    bare = [{"function": {"name": "execute_shell", "arguments": "ls -la"}}]
    assert parse_openai_message({"tool_calls": bare}) == "ls -la"


def test_openai_two_different_tool_calls_are_unusable() -> None:
    calls = [
        {"function": {"name": "execute_shell", "arguments": '{"command": "ls"}'}},
        {"function": {"name": "execute_shell", "arguments": '{"command": "rm x"}'}},
    ]
    with pytest.raises(NoUsableCommand, match="several"):
        parse_openai_message({"tool_calls": calls})


def test_openai_empty_message_is_unusable() -> None:
    with pytest.raises(NoUsableCommand):
        parse_openai_message({"role": "assistant", "content": ""})


def test_ollama_tool_calls_and_content() -> None:
    message = {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"function": {"name": "execute_shell", "arguments": {"command": "ls"}}}],
    }
    assert parse_ollama_message(message) == "ls"
    assert parse_ollama_message({"content": '{"command": "pwd"}', "thinking": "hmm"}) == "pwd"


# --------------------------------------------------------------------------- properties

REFUSAL_OPENERS = [
    "I'm sorry",
    "I am sorry",
    "Sorry",
    "I can't",
    "I cannot",
    "I can not",
    "I won't",
    "I will not",
    "I'm unable to",
    "I am not able to",
    "As an AI",
    "Unfortunately",
    "I apologize",
    "I must decline",
    "I refuse",
]
_PROSE_ALPHABET = st.characters(
    whitelist_categories=("Lu", "Ll", "Nd", "Zs"), whitelist_characters=".,;:!?'-/*~$|&()<>\"="
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_only_ever_raises_no_usable_command(text: str) -> None:
    try:
        command = parse_text(text)
    except NoUsableCommand:
        return
    assert isinstance(command, str) and command.strip() and "\n" not in command


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=10,
    )
)
def test_arbitrary_messages_only_ever_raise_no_usable_command(payload: object) -> None:
    for message in ({"content": payload}, {"tool_calls": payload}, payload):
        with contextlib.suppress(NoUsableCommand):
            parse_openai_message(message)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(REFUSAL_OPENERS),
    st.text(_PROSE_ALPHABET, max_size=200),
    st.sampled_from(["", "\n", ". ", "\n\n"]),
    st.text(_PROSE_ALPHABET, max_size=80),
)
def test_a_refusal_never_yields_a_command(opener: str, body: str, sep: str, tail: str) -> None:
    with pytest.raises(NoUsableCommand):
        parse_text(f"{opener} {body}{sep}{tail}")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200).filter(lambda s: "<escape>" not in s))
def test_functiongemma_escaped_strings_round_trip(value: str) -> None:
    text = f"<start_function_call>call:execute_shell{{command:<escape>{value}<escape>}}"
    [call] = parse_functiongemma(text + "<end_function_call>")
    assert call.arguments == {"command": value}


# --------------------------------------------------------------------------- the command field

NOT_COMMANDS = [
    "I cannot help with that.",
    "Sorry, that is not possible",
    "Please clarify what you mean?",
    "What do you mean?",
    "<your command here>",
    "ls <directory>",
    "docker logs <container id>",
    "your_command",
    "COMMAND_HERE",
    "run_shell(description:",
    # The embedded base model's echo of its tool description.
    "Run one shell command on the user's machine and return its output.",
    "Find all the big files.",
    "echo 'cut off here",
]
REAL_COMMANDS = [
    'echo "I cannot help"',
    'git commit -m "Fix the thing."',
    "ls",
    "[ -f x ] && echo yes",
    "cat <<EOF > notes.txt",
    "cat <<< 'hello'",
    "cat < in.txt > out.txt",
    "cat <in.txt >out.txt",
    "diff <(ls a) <(ls b)",
    "grep '<title>' index.html",
    "echo $'it\\'s'",
    "ls  # don't list hidden files",
    "echo ${#PATH}",
    "echo Done.",
]


def _tool_call(command: str) -> dict[str, object]:
    arguments = json.dumps({"command": command})
    return {"tool_calls": [{"function": {"name": "execute_shell", "arguments": arguments}}]}


def _functiongemma(command: str) -> str:
    return (
        f"<start_function_call>call:execute_shell{{command:<escape>{command}<escape>}}"
        "<end_function_call>"
    )


SHAPES = {
    "tool_call": lambda c: parse_openai_message(_tool_call(c)),
    "ollama": lambda c: parse_ollama_message(
        {"tool_calls": [{"function": {"name": "run_shell", "arguments": {"cmd": c}}}]}
    ),
    "json": lambda c: parse_text(json.dumps({"command": c})),
    "functiongemma": lambda c: parse_text(_functiongemma(c)),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("value", NOT_COMMANDS)
def test_a_command_field_holding_no_command_is_unusable(shape: str, value: str) -> None:
    with pytest.raises(NoUsableCommand):
        SHAPES[shape](value)


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("value", REAL_COMMANDS)
def test_a_command_field_holding_a_real_command_is_kept(shape: str, value: str) -> None:
    assert SHAPES[shape](value) == value


def test_a_refusal_in_a_tool_call_says_so() -> None:
    with pytest.raises(NoUsableCommand, match="declined"):
        parse_openai_message(_tool_call("I cannot help with that."))


@pytest.mark.parametrize(
    "answer", ["<your command here>", "```bash\n<your command here>\n```", "`ls <dir>`"]
)
def test_placeholders_in_free_text_are_unusable(answer: str) -> None:
    with pytest.raises(NoUsableCommand):
        parse_text(answer)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(REFUSAL_OPENERS),
    st.text(_PROSE_ALPHABET, max_size=200),
    st.text(_PROSE_ALPHABET, max_size=80),
    st.sampled_from(sorted(SHAPES)),
)
def test_a_refusal_in_a_command_field_never_yields_a_command(
    opener: str, body: str, tail: str, shape: str
) -> None:
    with pytest.raises(NoUsableCommand):
        SHAPES[shape](f"{opener} {body}. {tail}")


def test_a_nul_character_makes_no_command() -> None:
    message = {
        "tool_calls": [
            {"function": {"name": "execute_shell", "arguments": '{"command": "ls\\u0000 -la"}'}}
        ]
    }
    with pytest.raises(NoUsableCommand, match="NUL"):
        parse_openai_message(message)


@pytest.mark.parametrize("content", [{"a": 1}, 42, True])
def test_content_that_is_not_text_is_no_command(content: object) -> None:
    with pytest.raises(NoUsableCommand, match="not text"):
        parse_openai_message({"content": content})
