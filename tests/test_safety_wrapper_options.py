"""A wrapper's own options must not hide the command it runs: values that can only be attached
(`xargs -i`), options that mean "run nothing" only before the command (`command -v`), the
`time` program's options, and option letters read as letters."""

from __future__ import annotations

import pytest

from safety import Risk, assess
from safety.facts import Word
from safety.options import parse_options


def words(line: str) -> list[Word]:
    return [Word(t, (0, 0)) for t in line.split()]


@pytest.mark.parametrize(
    "command",
    [
        "xargs -i rm -rf /",
        "xargs -l rm -rf /",
        "xargs -e rm -rf /",
        "xargs -i{} rm -rf /",
        "xargs --replace rm -rf /",
        "xargs --max-lines rm -rf /",
        "xargs --eof rm -rf /",
        "watch -d rm -rf /",
    ],
)
def test_a_value_that_can_only_be_attached_does_not_swallow_the_command(command: str) -> None:
    assert assess(command).risk is Risk.CRITICAL, assess(command).findings


@pytest.mark.parametrize(
    "command",
    ["echo / | xargs -i rm -rf {}", "echo / | xargs --replace rm -rf {}"],
)
def test_xargs_i_and_replace_put_each_line_where_braces_stand(command: str) -> None:
    # GNU xargs: -i and --replace with no value mean -I {}.
    assert assess(command).risk is Risk.CRITICAL, assess(command).findings


def test_xargs_i_with_an_attached_token_is_that_token() -> None:
    assert assess("echo / | xargs -i% rm -rf %").risk is Risk.CRITICAL
    assert assess("echo / | xargs --replace=% rm -rf %").risk is Risk.CRITICAL


@pytest.mark.parametrize(
    "command", ["ls | xargs -i echo {}", "ls | xargs -l wc -l", "xargs -e echo < list.txt"]
)
def test_harmless_xargs_with_optional_values_stays_safe(command: str) -> None:
    assert assess(command).risk is Risk.SAFE, assess(command).findings


@pytest.mark.parametrize(
    "command", ["command rm -rf -v /", "command rm -rf / -V", "command -p rm -rf -v /"]
)
def test_command_v_after_the_command_word_is_the_commands_own(command: str) -> None:
    assert assess(command).risk is Risk.CRITICAL, assess(command).findings


@pytest.mark.parametrize("command", ["command -v rm", "command -V rm", "command -pv rm"])
def test_command_v_before_the_command_word_runs_nothing(command: str) -> None:
    assert assess(command).risk is Risk.SAFE, assess(command).findings


@pytest.mark.parametrize(
    "command",
    [
        "time -f %e rm -rf /",
        "time -o log.txt rm -rf /",
        "time -v rm -rf /",
        "time --format=%e rm -rf /",
        "time -p -f %e rm -rf /",
    ],
)
def test_time_with_options_of_the_time_program_runs_the_command(command: str) -> None:
    # bash reserves `time` only before -p; `sh -c`, `bash --posix` and dash run
    # /usr/bin/time, which reads -f/-o/-v and runs the rest.
    assert assess(command).risk is Risk.CRITICAL, assess(command).findings


@pytest.mark.parametrize("command", ["time -f %e ls", "time -v make -j4", "time -p ls"])
def test_time_with_options_around_a_harmless_command_is_safe(command: str) -> None:
    assert assess(command).risk is Risk.SAFE, assess(command).findings


def test_a_long_options_canonical_name_is_a_letter_not_a_substring() -> None:
    # `--fo` is no spelling of -f or -o: it takes no value, so `rm` is an operand.
    opts = parse_options(words("--fo rm -rf /"), short_arg="fo", stop_at_operand=True)
    assert [w.text for w in opts.rest] == ["rm", "-rf", "/"]
    opts = parse_options(
        words("--output log rm"), short_arg="fo", longs={"output": "o"}, stop_at_operand=True
    )
    assert [w.text for w in opts.value("o")] == ["log"]
    assert [w.text for w in opts.rest] == ["rm"]


def test_optional_values_are_read_attached_only() -> None:
    opts = parse_options(
        words("-i -l5 --replace --eof=END rm -rf /"),
        short_arg="I",
        short_optional="il",
        longs={"replace": "I", "eof": "E"},
        long_optional=("replace", "eof"),
        stop_at_operand=True,
    )
    assert opts.has("i", "I")
    assert [w.text for w in opts.value("l")] == ["5"]
    assert [w.text for w in opts.value("E")] == ["END"]
    assert opts.value("I") == [] and opts.value("i") == []
    assert [w.text for w in opts.rest] == ["rm", "-rf", "/"]


@pytest.mark.parametrize(
    "command",
    ["xargs -I{} rm -rf {}", "cat dirs.txt | xargs -I{} rm -rf {}", "xargs -i rm -rf {}"],
)
def test_xargs_i_fed_lines_nobody_can_see_fails_closed(command: str) -> None:
    # As `cat dirs.txt | xargs rm -rf` does: each line could be / or ~.
    assert assess(command).risk >= Risk.HIGH, assess(command).findings


def test_xargs_i_fed_a_known_listing_is_judged_by_it() -> None:
    assert assess("find . -name '*.tmp' | xargs -I{} rm -f {}").risk <= Risk.MODERATE
