"""FunctionGemma's answers: the native call syntax, and the command the embedded model wrote."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backends.answer_text import parse_text
from backends.embedded import functiongemma
from backends.embedded.functiongemma_call import (
    FunctionCall,
    command_after_prefill,
    parse_functiongemma,
)
from backends.errors import NoUsableCommand

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


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200).filter(lambda s: "<escape>" not in s))
def test_functiongemma_escaped_strings_round_trip(value: str) -> None:
    text = f"<start_function_call>call:execute_shell{{command:<escape>{value}<escape>}}"
    [call] = parse_functiongemma(text + "<end_function_call>")
    assert call.arguments == {"command": value}


# --------------------------------------------------------------------------- the embedded hand-over


@pytest.mark.parametrize(
    ("generated", "command"),
    [
        ("docker ps", "docker ps"),
        ("  ls -la \n", "ls -la"),
        ("$ uname -a", "uname -a"),
        ("find . -name '*.log' \\\n  -delete", "find . -name '*.log' -delete"),
        # Past the stop (a worker that did not cut there): the rest of the call is no command.
        ("ls -la<escape>}<end_function_call>", "ls -la"),
    ],
)
def test_the_command_after_the_prefill_is_taken_as_written(generated: str, command: str) -> None:
    parsed = command_after_prefill(generated)
    assert (parsed.command, parsed.explanation, parsed.source) == (command, None, "functiongemma")


@pytest.mark.parametrize(
    ("generated", "reason"),
    [
        ("", "empty"),
        ("  \n", "empty"),
        ("<escape>}", "empty"),
        ("ls\npwd", "several commands"),
        ("I cannot help with that.", "declined"),
        ("Run one shell command on the user's machine and return its output.", "sentence"),
        ("docker logs <container id>", "placeholder"),
    ],
)
def test_the_command_after_the_prefill_is_judged(generated: str, reason: str) -> None:
    with pytest.raises(NoUsableCommand, match=reason):
        command_after_prefill(generated)


_NO_MARKUP = st.text(max_size=120).filter(
    lambda s: "<escape>" not in s and not any(t in s.lower() for t in ("think", "reasoning"))
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_NO_MARKUP, st.sampled_from(["docker ps", "ls -la\n", "Sure.", "`id`", "ls <d>"])))
def test_the_hand_over_agrees_with_the_whole_call_read_from_text(generated: str) -> None:
    # Two readers of one answer: the embedded backend's, given the text after the prefill, and
    # the text reader's, given the whole call a FunctionGemma served elsewhere would write.
    call = functiongemma.PREFILL + generated + functiongemma.END_OF_CALL
    try:
        expected: str | None = parse_text(call)
    except NoUsableCommand:
        expected = None
    try:
        got: str | None = command_after_prefill(generated).command
    except NoUsableCommand:
        got = None
    assert got == expected
