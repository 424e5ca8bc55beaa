"""config.loader: every key, the precedence rules, and the errors a person can make."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from caro_py.errors import ConfigError, FlagError, exit_code_of
from config.dump import settings_dict, settings_toml
from config.loader import default_config_path, load_settings, tomllib
from config.model import BACKEND_NAMES, REMOTE_BACKENDS, Settings
from config.template import render_template


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None, **overrides: Any):
    return load_settings(path=write(tmp_path, text), env=env or {}, overrides=overrides)


# ------------------------------------------------------------------ the template


def test_template_loads_back_to_the_defaults(tmp_path: Path) -> None:
    settings, warnings = load(tmp_path, render_template())
    assert warnings == []
    settings.source = None
    assert settings == Settings()


def test_template_mentions_every_key() -> None:
    text = render_template()
    top = ["timeout_seconds", "probe_timeout_ms", "detect_cache_seconds", "fallback", "order"]
    for key in [*top, "shell", "level", "allow", "deny", "use"]:
        assert f"{key} =" in text, key
    for name in REMOTE_BACKENDS:
        assert f"[backend.{name}]" in text
    for field in dataclasses.fields(Settings().embedded):
        assert f"{field.name} =" in text, field.name


# ------------------------------------------------------------------ every key honoured

KEY_CASES = [
    ('backend = "ollama"', lambda s: s.backend, "ollama"),
    ('[backend]\nuse = "vllm"', lambda s: s.backend, "vllm"),
    ('order = ["ollama", "embedded"]', lambda s: s.order, ["ollama", "embedded"]),
    ('safety = "strict"', lambda s: s.safety.level, "strict"),
    ('[safety]\nlevel = "permissive"', lambda s: s.safety.level, "permissive"),
    ('[safety]\nallow = ["^ls "]', lambda s: s.safety.allow, ["^ls "]),
    ('[safety]\ndeny = ["curl"]', lambda s: s.safety.deny, ["curl"]),
    ('shell = "zsh"', lambda s: s.shell, "zsh"),
    ("timeout_seconds = 12", lambda s: s.timeout_seconds, 12.0),
    ("probe_timeout_ms = 150", lambda s: s.probe_timeout_ms, 150),
    ("detect_cache_seconds = 0", lambda s: s.detect_cache_seconds, 0.0),
    ("fallback = false", lambda s: s.fallback, False),
    ("[embedded]\nenabled = false", lambda s: s.embedded.enabled, False),
    ('[embedded]\nmodel = "m1"', lambda s: s.embedded.model, "m1"),
    ('[embedded]\nmodel_path = "/m.gguf"', lambda s: s.embedded.model_path, "/m.gguf"),
    ('[embedded]\nadapter_path = "/a.gguf"', lambda s: s.embedded.adapter_path, "/a.gguf"),
    ("[embedded]\ndefault_adapter = false", lambda s: s.embedded.default_adapter, False),
    ('[embedded]\nprompt_profile = "chatml"', lambda s: s.embedded.prompt_profile, "chatml"),
    ("[embedded]\nn_threads = 3", lambda s: s.embedded.n_threads, 3),
    ("[embedded]\nn_ctx = 2048", lambda s: s.embedded.n_ctx, 2048),
    ("[embedded]\nmax_tokens = 64", lambda s: s.embedded.max_tokens, 64),
    ("[embedded]\ngrammar = true", lambda s: s.embedded.grammar, True),
]


@pytest.mark.parametrize(("text", "get", "expected"), KEY_CASES)
def test_every_top_level_and_embedded_key_is_honoured(
    tmp_path: Path, text: str, get: Any, expected: Any
) -> None:
    settings, warnings = load(tmp_path, text)
    assert warnings == []
    assert get(settings) == expected


@pytest.mark.parametrize("name", REMOTE_BACKENDS)
def test_every_backend_table_key_is_honoured(tmp_path: Path, name: str) -> None:
    text = (
        f'[backend.{name}]\nenabled = false\nbase_url = "http://10.0.0.9:9999/"\n'
        f'model = "m-{name}"\ntimeout_seconds = 7\napi_key_env = "KEY_{name.upper()}"\n'
        "max_tokens = 128\n"
    )
    settings, warnings = load(tmp_path, text)
    assert warnings == []
    own = settings.backends[name]
    assert own.enabled is False
    assert own.base_url == "http://10.0.0.9:9999"  # trailing slash dropped
    assert own.model == f"m-{name}"
    assert own.timeout_seconds == 7.0
    assert settings.timeout_for(name) == 7.0
    assert own.api_key_env == f"KEY_{name.upper()}"
    assert own.max_tokens == 128


def test_missing_file_found_through_caro_config_means_defaults_and_a_warning(
    tmp_path: Path,
) -> None:
    absent = tmp_path / "absent.toml"
    settings, warnings = load_settings(path=None, env={"CARO_CONFIG": str(absent)})
    assert settings == Settings()
    assert warnings == [f"CARO_CONFIG names {absent}, which does not exist; using the defaults"]


def test_missing_default_file_is_silent(tmp_path: Path) -> None:
    settings, warnings = load_settings(path=None, env={"HOME": str(tmp_path)})
    assert settings == Settings() and warnings == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("timeout_seconds = nan", "timeout_seconds"),
        ("timeout_seconds = inf", "timeout_seconds"),
        ("detect_cache_seconds = 1e400", "detect_cache_seconds"),
        ("detect_cache_seconds = -nan", "detect_cache_seconds"),
        ("[backend.ollama]\ntimeout_seconds = +inf", "backend.ollama.timeout_seconds"),
    ],
)
def test_nan_and_inf_are_rejected(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=f"{key}: must be a finite number"):
        load(tmp_path, text)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
def test_nan_and_inf_timeout_flags_are_usage_errors(value: str) -> None:
    with pytest.raises(FlagError, match="--timeout: must be a finite number"):
        load_settings(path=None, env={}, overrides={"timeout_seconds": float(value)})


def test_probe_timeout_must_be_an_integer_so_never_nan(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="probe_timeout_ms: expected an integer"):
        load(tmp_path, "probe_timeout_ms = nan")


def test_caro_config_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'backend = "exo"')
    settings, _ = load_settings(path=None, env={"CARO_CONFIG": str(path)})
    assert settings.backend == "exo"
    assert settings.source == path


def test_default_path_is_under_home(tmp_path: Path) -> None:
    assert default_config_path({"HOME": str(tmp_path)}) == tmp_path / ".caro" / "config.toml"
    assert default_config_path({"CARO_CONFIG": "/x/c.toml", "HOME": "/h"}) == Path("/x/c.toml")


def test_explicit_config_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(path=tmp_path / "nope.toml", env={})


# ------------------------------------------------------------------ precedence

PRECEDENCE = [
    # (key, file text, env var, env value, override key, flag value, getter)
    ("backend", 'backend = "exo"', "CARO_BACKEND", "ollama", "backend", "vllm",
     lambda s: s.backend),
    ("safety", 'safety = "strict"', "CARO_SAFETY", "moderate", "safety", "permissive",
     lambda s: s.safety.level),
    ("shell", 'shell = "zsh"', "CARO_SHELL", "fish", "shell", "dash", lambda s: s.shell),
]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "text", "var", "env_value", "flag", "flag_value", "get"), PRECEDENCE
)
def test_flag_beats_env_beats_file_beats_default(
    tmp_path: Path,
    key: str,
    text: str,
    var: str,
    env_value: str,
    flag: str,
    flag_value: str,
    get: Any,
) -> None:
    default = get(Settings())
    file_value = tomllib.loads(text)[key]
    assert get(load(tmp_path, "")[0]) == default
    assert get(load(tmp_path, text)[0]) == file_value
    assert get(load(tmp_path, text, env={var: env_value})[0]) == env_value
    flagged = load(tmp_path, text, env={var: env_value}, **{flag: flag_value})[0]
    assert get(flagged) == flag_value


def test_model_precedence(tmp_path: Path) -> None:
    text = '[backend.ollama]\nmodel = "from-file"'
    settings, _ = load(tmp_path, text)
    assert settings.model is None and settings.backends["ollama"].model == "from-file"
    settings, _ = load(tmp_path, text, env={"CARO_MODEL": "from-env"})
    assert settings.model == "from-env"  # applies to whichever backend is chosen
    settings, _ = load(tmp_path, text, env={"CARO_MODEL": "from-env"}, model="from-flag")
    assert settings.model == "from-flag"


def test_timeout_flag_beats_per_backend_timeouts(tmp_path: Path) -> None:
    text = "timeout_seconds = 20\n[backend.lmstudio]\ntimeout_seconds = 90"
    settings, _ = load(tmp_path, text)
    assert settings.timeout_for("lmstudio") == 90.0 and settings.timeout_for("ollama") == 20.0
    settings, _ = load(tmp_path, text, timeout_seconds=3)
    assert settings.timeout_for("lmstudio") == 3.0 and settings.timeout_for("ollama") == 3.0


def test_base_url_flag(tmp_path: Path) -> None:
    settings, _ = load(tmp_path, "", base_url="http://127.0.0.1:5555/")
    assert settings.base_url == "http://127.0.0.1:5555"


def test_empty_env_values_are_ignored(tmp_path: Path) -> None:
    settings, _ = load(tmp_path, 'backend = "exo"', env={"CARO_BACKEND": ""})
    assert settings.backend == "exo"


def test_safety_string_level_keeps_lists_from_default(tmp_path: Path) -> None:
    settings, _ = load(tmp_path, '[safety]\ndeny = ["x"]', env={"CARO_SAFETY": "strict"})
    assert settings.safety.level == "strict" and settings.safety.deny == ["x"]


# ------------------------------------------------------------------ errors


def test_broken_toml_names_path_line_and_problem(tmp_path: Path) -> None:
    path = write(tmp_path, 'backend = "exo"\n\ntimeout_seconds = = 3\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, env={})
    message = caught.value.message
    assert str(path) in message and "line 3" in message
    assert exit_code_of(caught.value) == 2


def test_unterminated_string_reports_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 2"):
        load(tmp_path, 'fallback = true\nshell = "bash\n')


def test_string_and_table_for_backend_is_a_toml_error(tmp_path: Path) -> None:
    # Documented: `backend = "x"` and [backend.NAME] tables cannot share a file.
    with pytest.raises(ConfigError, match=r"line 2"):
        load(tmp_path, 'backend = "ollama"\n[backend.ollama]\nmodel = "m"\n')


BAD_VALUES = [
    ('timeout_seconds = "fast"', "timeout_seconds", "expected a number, got a string", 1),
    ("timeout_seconds = 0", "timeout_seconds", "greater than 0", 1),
    ("probe_timeout_ms = 1.5", "probe_timeout_ms", "expected an integer", 1),
    ("detect_cache_seconds = -1", "detect_cache_seconds", "must not be negative", 1),
    ('fallback = "yes"', "fallback", "expected true or false", 1),
    ("fallback = 1", "fallback", "expected true or false", 1),
    ('backend = "olama"', "backend", 'did you mean "ollama"', 1),
    ("backend = 3", "backend", "expected a string or a table", 1),
    ('order = ["exo", "bogus"]', "order", '"bogus" is not one of', 1),
    ('order = ["exo", "exo"]', "order", "listed twice", 1),
    ("order = []", "order", "at least one", 1),
    ('order = "exo"', "order", "expected an array of strings", 1),
    ('safety = "lax"', "safety", "not one of strict, moderate, permissive", 1),
    ('[safety]\nlevel = "strictt"', "safety.level", 'did you mean "strict"', 2),
    ('[safety]\ndeny = ["("]', "safety.deny", "bad regular expression", 2),
    ("[safety]\nallow = [1]", "safety.allow", "every item must be a string", 2),
    ('shell = ""', "shell", "must not be empty", 1),
    ('[backend.ollama]\nbase_url = "localhost:11434"', "backend.ollama.base_url", "not an http", 2),
    ("[backend.vllm]\nenabled = 1", "backend.vllm.enabled", "true or false", 2),
    ("[backend.exo]\ntimeout_seconds = -2", "backend.exo.timeout_seconds", "greater than 0", 2),
    ('[backend]\nollama = "x"', "backend.ollama", "expected a table", 2),
    ('[backend]\nuse = "nope"', "backend.use", "is not one of", 2),
    ('embedded = "on"', "embedded", "expected a table", 1),
    ('[embedded]\nprompt_profile = "gemma"', "embedded.prompt_profile", "not one of", 2),
    ("[embedded]\nn_ctx = 0", "embedded.n_ctx", "greater than 0", 2),
    ('[embedded]\nn_threads = "4"', "embedded.n_threads", "expected an integer", 2),
    # llama.cpp aborts (bad_alloc) or eats all memory on these: refused before it sees them.
    ("[embedded]\nn_threads = 100000", "embedded.n_threads", "at most 1024", 2),
    ("[embedded]\nn_ctx = 99999999999", "embedded.n_ctx", "at most 131072", 2),
    (
        '[backend.lmstudio]\nbase_url = "http://127.0.0.1:99999"',
        "backend.lmstudio.base_url",
        "Port out of range",
        2,
    ),
    (
        '[backend.lmstudio]\nbase_url = "http://[::1"',
        "backend.lmstudio.base_url",
        "not a usable URL",
        2,
    ),
    (
        '[backend.lmstudio]\nbase_url = "http://h\\u0000x"',
        "backend.lmstudio.base_url",
        "control character",
        2,
    ),
]


@pytest.mark.parametrize(("text", "key", "problem", "line"), BAD_VALUES)
def test_bad_values_are_clear_config_errors(
    tmp_path: Path, text: str, key: str, problem: str, line: int
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    message = caught.value.message
    assert f"line {line}: {key}:" in message, message
    assert problem in message, message
    assert str(tmp_path / "config.toml") in message


UNKNOWN_KEYS = [
    ("timeout_second = 5", '"timeout_second"', '"timeout_seconds"'),
    ("[embeded]\nn_ctx = 9", '"embeded"', '"embedded"'),
    ("[backend.olama]\nmodel = 'x'", '"backend.olama"', '"ollama"'),
    ("[backend.ollama]\nbaseurl = 'http://x'", '"backend.ollama.baseurl"', '"base_url"'),
    ("[safety]\ndenied = []", '"safety.denied"', '"deny"'),
    ("[embedded]\nmax_token = 3", '"embedded.max_token"', '"max_tokens"'),
]


@pytest.mark.parametrize(("text", "named", "suggested"), UNKNOWN_KEYS)
def test_unknown_keys_warn_and_suggest(
    tmp_path: Path, text: str, named: str, suggested: str
) -> None:
    settings, warnings = load(tmp_path, text)
    assert len(warnings) == 1, warnings
    assert named in warnings[0] and f"did you mean {suggested}" in warnings[0]
    settings.source = None
    assert settings == Settings()  # the unknown key changed nothing


def test_backend_embedded_table_points_to_the_embedded_table(tmp_path: Path) -> None:
    _, warnings = load(tmp_path, "[backend.embedded]\nn_ctx = 9")
    assert len(warnings) == 1 and "[embedded]" in warnings[0]


def test_unknown_key_without_close_match_still_warns(tmp_path: Path) -> None:
    _, warnings = load(tmp_path, "zzzz = 1")
    assert warnings and '"zzzz"' in warnings[0] and "did you mean" not in warnings[0]


@pytest.mark.parametrize(
    ("var", "value", "needle"),
    [
        ("CARO_BACKEND", "lmstudoi", 'did you mean "lmstudio"'),
        ("CARO_SAFETY", "yolo", "strict, moderate, permissive"),
    ],
)
def test_bad_env_values_name_the_variable(var: str, value: str, needle: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(path=None, env={var: value})
    assert var in caught.value.message and needle in caught.value.message


def test_bad_flag_values_are_usage_errors() -> None:
    for overrides, flag in (
        ({"backend": "nope"}, "--backend"),
        ({"base_url": "ftp://x"}, "--base-url"),
    ):
        with pytest.raises(FlagError, match=flag) as caught:
            load_settings(path=None, env={}, overrides=overrides)
        assert caught.value.type_name == "usage" and exit_code_of(caught.value) == 2


def test_unreadable_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'shell = "\xff"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings(path=path, env={})


# ------------------------------------------------------------------ dump


def test_dump_round_trips_file_keys(tmp_path: Path) -> None:
    text = 'order = ["vllm"]\nsafety = "strict"\n[backend.ollama]\nmodel = "m"\n'
    settings, _ = load(tmp_path, text)
    again, warnings = load(tmp_path, settings_toml(settings))
    assert warnings == []
    assert settings_dict(again) == settings_dict(settings)


def test_dump_dict_covers_all_backends() -> None:
    data = settings_dict(Settings())
    assert set(data["backends"]) == set(REMOTE_BACKENDS)
    assert set(BACKEND_NAMES) - set(REMOTE_BACKENDS) == {"embedded"}


def test_a_byte_order_mark_is_not_a_syntax_error(tmp_path: Path) -> None:
    settings, _ = load(tmp_path, "\ufefftimeout_seconds = 7")
    assert settings.timeout_seconds == 7


def test_tables_nested_too_deeply_are_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nested too deeply"):
        load(tmp_path, "order = " + "[" * 2000 + "]" * 2000)


def test_a_home_that_cannot_be_expanded_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot expand"):
        load_settings(path=Path("~no-such-user-here/c.toml"), env={})
