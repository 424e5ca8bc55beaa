"""The one table of wrappers (safety/data/wrappers.toml), read by the validator and the router."""

from __future__ import annotations

from pathlib import Path

import pytest

from caro_py.explain import programs
from caro_py.knowledge.command_tool import tool_of
from safety import assess
from safety.wrapper_table import read_wrapper_specs, wrapper_specs
from safety.wrappers import CHAIN_WORDS, WRAPPER_NAMES


def test_every_wrapper_in_the_table_is_unwrapped_by_the_validator() -> None:
    assert set(wrapper_specs()) <= WRAPPER_NAMES
    assert set(wrapper_specs()) | CHAIN_WORDS == WRAPPER_NAMES


@pytest.mark.parametrize("name", sorted(wrapper_specs()))
def test_entry_is_consistent(name: str) -> None:
    spec = wrapper_specs()[name]
    # A long option spells a short letter, or stands alone under its own name.
    for long, canon in spec.long.items():
        assert canon == long or len(canon) == 1, (long, canon)
    assert spec.long_value <= {n for n, c in spec.long.items() if c == n}
    assert spec.long_optional <= set(spec.long)
    assert not set(spec.short) & set(spec.optional)
    assert all(o.startswith("-") for o in spec.self_options)


def test_long_options_that_take_a_value() -> None:
    sudo = wrapper_specs()["sudo"]
    assert {"user", "host", "chdir"} <= sudo.value_longs
    assert not {"login", "preserve-env", "edit"} & sudo.value_longs
    assert wrapper_specs()["pkexec"].value_longs == {"user"}
    xargs = wrapper_specs()["xargs"].value_longs
    assert "process-slot-var" in xargs and "max-args" in xargs
    assert not {"replace", "eof", "max-lines"} & xargs  # --replace[=R]: only after '='


def test_router_and_validator_read_sudo_host_alike() -> None:
    # sudo -h HOST takes a value: the command is rm, for the router as for the validator.
    assert tool_of("sudo -h otherhost rm -rf /") == "rm"
    assert assess("sudo -h otherhost rm -rf /").risk.label == "critical"


def test_an_optional_value_is_attached_only_for_the_router() -> None:
    # `xargs -i wc -l {}`: -i takes no next word; wc is what xargs runs.
    assert [name for name, _ in programs("xargs -i wc -l {}")] == ["xargs", "wc"]


def test_a_misspelt_key_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "wrappers.toml"
    path.write_text('[sudo]\nshrot = "u"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="wrappers.toml.*shrot"):
        read_wrapper_specs(path)
