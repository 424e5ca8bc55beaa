"""Golden strings for the FunctionGemma rendering the shell adapter was trained on."""

from __future__ import annotations

from backends.embedded.functiongemma import (
    EXECUTE_SHELL_DECLARATION,
    PREFILL,
    STOP,
    extract_command,
    render_declaration,
    render_prompt,
    render_target,
)

GOLDEN_DECLARATION = (
    "<start_function_declaration>declaration:execute_shell{"
    "description:<escape>Run one shell command on the user's machine and return its output."
    "<escape>,parameters:{properties:{command:{description:<escape>The complete shell command "
    "line that does what the user asked.<escape>,type:<escape>STRING<escape>}},"
    "required:[<escape>command<escape>],type:<escape>OBJECT<escape>}}"
    "<end_function_declaration>"
)


def test_declaration_matches_the_template_format() -> None:
    assert render_declaration(EXECUTE_SHELL_DECLARATION) == GOLDEN_DECLARATION


def test_declaration_sorts_keys_and_escapes_enums() -> None:
    decl = {
        "name": "get_current_weather",
        "description": "Gets the current weather in a given location.",
        "parameters": {
            "type": "object",
            "required": ["location"],
            "properties": {
                "unit": {
                    "type": "string",
                    "enum": ["celsius", "fahrenheit"],
                    "description": "The unit to return the temperature in.",
                },
                "location": {"type": "string", "description": "The city, e.g. Tokyo, JP"},
            },
        },
    }
    assert render_declaration(decl) == (
        "<start_function_declaration>declaration:get_current_weather{description:<escape>Gets "
        "the current weather in a given location.<escape>,parameters:{properties:{location:{"
        "description:<escape>The city, e.g. Tokyo, JP<escape>,type:<escape>STRING<escape>},"
        "unit:{description:<escape>The unit to return the temperature in.<escape>,enum:["
        "<escape>celsius<escape>,<escape>fahrenheit<escape>],type:<escape>STRING<escape>}},"
        "required:[<escape>location<escape>],type:<escape>OBJECT<escape>}}"
        "<end_function_declaration>"
    )


def test_prompt_without_context() -> None:
    assert render_prompt("list files") == (
        "<start_of_turn>developer\n"
        "You are a model that can do function calling with the following functions"
        + GOLDEN_DECLARATION
        + "<end_of_turn>\n<start_of_turn>user\nlist files<end_of_turn>\n"
        "<start_of_turn>model\n<start_function_call>call:execute_shell{command:<escape>"
    )


def test_prompt_with_context_puts_it_before_the_trigger() -> None:
    prompt = render_prompt("  show disk usage \n", context="macOS (arm64), zsh, BSD userland")
    assert prompt.startswith(
        "<start_of_turn>developer\nmacOS (arm64), zsh, BSD userland\n"
        "You are a model that can do function calling with the following functions"
        "<start_function_declaration>"
    )
    assert "<start_of_turn>user\nshow disk usage<end_of_turn>\n" in prompt
    assert prompt.endswith(PREFILL)
    assert not prompt.startswith("<bos>")  # the tokenizer adds BOS


def test_target_and_extraction_round_trip() -> None:
    target = render_target("ls -la")
    assert target == "ls -la<escape>}<end_function_call>"
    assert extract_command(target) == "ls -la"
    assert extract_command(target.split(STOP)[0]) == "ls -la"
    assert extract_command("  <escape>}") is None
