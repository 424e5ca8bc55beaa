"""The one judgement every format's command goes through: refusals, questions, prose and
placeholders are no command, in any shape (tool call, Ollama, JSON, FunctionGemma, text)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends.answer_text import parse_text
from backends.embedded.functiongemma_call import command_after_prefill
from backends.errors import NoUsableCommand
from backends.remote.ollama_message import parse_ollama_message
from backends.remote.openai_message import parse_openai_message

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
@given(
    st.sampled_from(REFUSAL_OPENERS),
    st.text(_PROSE_ALPHABET, max_size=200),
    st.sampled_from(["", "\n", ". ", "\n\n"]),
    st.text(_PROSE_ALPHABET, max_size=80),
)
def test_a_refusal_never_yields_a_command(opener: str, body: str, sep: str, tail: str) -> None:
    with pytest.raises(NoUsableCommand):
        parse_text(f"{opener} {body}{sep}{tail}")


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
    "embedded": lambda c: command_after_prefill(c).command,
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
