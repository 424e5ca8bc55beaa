"""llama.cpp's extra buffer types stay off unless the config turns them on (issue: AMX crash).

On Intel CPUs with AMX, llama.cpp moves Q4_K weights into its AMX buffer and the first decode
segfaults; caro loads every model without extra buffer types. The load log names each model
buffer llama.cpp made, so the tests read it from a real load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backends.embedded.llama_runtime import cpu_has_amx, load_params
from config.model import EmbeddedSettings
from config.template import render_template

REPO = Path(__file__).resolve().parent.parent

_LOAD = """
import json, sys
from backends.embedded.inprocess import EmbeddedBackend
from config.model import EmbeddedSettings
settings = EmbeddedSettings(extra_buffers=sys.argv[1] == "on", n_threads=1)
loaded = EmbeddedBackend(settings, verbose=True, progress=False).load()
print(json.dumps({"use_extra_bufts": loaded.llm.model_params.use_extra_bufts}))
"""


def _load(setting: str) -> tuple[dict[str, bool], str]:
    out = subprocess.run(
        [sys.executable, "-c", _LOAD, setting],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


def test_off_by_default_and_in_the_template() -> None:
    assert EmbeddedSettings().extra_buffers is False
    assert "extra_buffers = false" in render_template()


def test_amx_is_read_from_the_kernel_flags(tmp_path: Path) -> None:
    amx = tmp_path / "amx"
    amx.write_text("processor\t: 0\nflags\t\t: fpu avx512f amx_bf16 amx_tile amx_int8\n\n")
    plain = tmp_path / "plain"
    plain.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f\n\n")
    assert cpu_has_amx(str(amx)) is True
    assert cpu_has_amx(str(plain)) is False
    assert cpu_has_amx(str(tmp_path / "missing")) is False


def test_the_library_defaults_are_restored_after_a_load() -> None:
    native = pytest.importorskip("llama_cpp.llama_cpp")
    before = native.llama_model_default_params
    with load_params(extra_buffers=False):
        assert native.llama_model_default_params().use_extra_bufts is False
    assert native.llama_model_default_params is before
    assert native.llama_model_default_params().use_extra_bufts is True  # llama.cpp's own


@pytest.mark.slow
@pytest.mark.model
def test_the_embedded_model_loads_without_extra_buffers() -> None:
    params, log = _load("off")
    assert params == {"use_extra_bufts": False}
    assert "CPU_Mapped model buffer" in log
    assert "REPACK model buffer" not in log
    assert "AMX model buffer" not in log


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.skipif(cpu_has_amx(), reason="turning them on is what crashes on this CPU")
def test_the_config_key_turns_them_back_on() -> None:
    params, log = _load("on")
    assert params == {"use_extra_bufts": True}
    # This build repacks Q4_K for AVX2 and AVX-512; an older CPU may have nothing to repack.
    if "avx2" in Path("/proc/cpuinfo").read_text():
        assert "REPACK model buffer" in log
