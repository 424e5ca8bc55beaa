"""Process-level llama.cpp settings: threads, model-load parameters, where its logs go."""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def physical_cores() -> int:
    """Physical CPU cores available to this process (llama.cpp gains nothing from SMT twins)."""
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    cores: set[tuple[str, str]] = set()
    try:
        physical = core = ""
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key == "physical id":
                    physical = value
                elif key == "core id":
                    core = value
                elif not key and core:
                    cores.add((physical, core))
                    physical = core = ""
        if core:
            cores.add((physical, core))
    except OSError:
        pass
    if not cores and sys.platform == "darwin":
        import subprocess

        try:
            out = subprocess.run(
                ["sysctl", "-n", "hw.physicalcpu"], capture_output=True, text=True, timeout=1
            )
            return max(1, min(available, int(out.stdout.strip())))
        except (OSError, ValueError, subprocess.SubprocessError):
            pass
    return max(1, min(available, len(cores) or available))


def default_threads() -> int:
    """Physical cores, minus those other work keeps busy right now (1-minute load average).

    ``embedded.n_threads`` overrides it. Why not all physical cores: llama.cpp's threads meet
    at a barrier after every step, so one thread that shares a core with a busy process holds
    the others up. scripts/bench_embedded.py --runs 6 (fresh ``caro`` per request, niced, on
    2 cores next to a training job and other test runs, load average 6.5): ``--threads 2``
    gave 3.1 generated tokens/s and 8.6 s wall p50 (warm prefix); ``--threads 1`` 22.8
    tokens/s and 3.2 s; this default picked 1 thread there (23.5 tokens/s, 3.3 s). On an idle
    machine the load average is near 0 and this is plain physical cores.
    """
    cores = physical_cores()
    try:
        busy = int(os.getloadavg()[0])
    except (AttributeError, OSError):
        busy = 0
    return max(1, cores - busy)


# --- model-load parameters --------------------------------------------------------------

#: /proc/cpuinfo flags of Intel's Advanced Matrix Extensions (Sapphire Rapids and newer).
AMX_FLAGS = frozenset({"amx_tile", "amx_int8", "amx_bf16"})


def cpu_has_amx(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Whether this CPU has AMX, read from the kernel's flags (False where it cannot tell)."""
    try:
        with open(cpuinfo, encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() == "flags":
                    return bool(AMX_FLAGS & set(value.split()))
    except OSError:
        pass
    return False


@contextmanager
def load_params(*, extra_buffers: bool) -> Iterator[None]:
    """Within the block, llama-cpp-python's ``Llama(...)`` loads with ``use_extra_bufts`` set.

    Why: with extra buffer types on, llama.cpp repacks weights for the CPU at load; on Intel
    CPUs with AMX it moves Q4_K weights into its AMX buffer, and the first decode segfaults
    (ggml-org/llama.cpp#20824, unfixed). ``Llama`` builds its model parameters from
    ``llama_model_default_params()`` and has no argument for this field, so the defaults it
    reads are swapped for the block. Callers hold their own load lock, so no other load runs
    in between.
    """
    import llama_cpp.llama_cpp as native

    original = native.llama_model_default_params

    def defaults() -> Any:
        params = original()
        params.use_extra_bufts = extra_buffers
        return params

    native.llama_model_default_params = defaults
    try:
        yield
    finally:
        native.llama_model_default_params = original


# --- llama.cpp log routing --------------------------------------------------------------

_LOG_TAIL: deque[str] = deque(maxlen=40)
_LOG_STATE = {"verbose": False}
_LOG_CALLBACK: Any = None  # keeps the ctypes callback alive


def route_llama_logs(verbose: bool) -> None:
    """Send llama.cpp's log lines to stderr only when verbose; keep a tail for error messages."""
    global _LOG_CALLBACK
    _LOG_STATE["verbose"] = verbose
    if _LOG_CALLBACK is not None:
        return
    import ctypes

    import llama_cpp
    import llama_cpp.llama  # noqa: F401  (installs its own callback first; ours replaces it)

    @llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
    def _callback(level: int, text: bytes, user_data: Any) -> None:
        line = text.decode("utf-8", errors="replace")
        _LOG_TAIL.append(line)
        if _LOG_STATE["verbose"]:
            print(line, end="", file=sys.stderr, flush=True)

    _LOG_CALLBACK = _callback
    llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))


def log_hint() -> str:
    lines = [
        line.strip() for line in _LOG_TAIL if "error" in line.lower() or "fail" in line.lower()
    ]
    return f" (llama.cpp: {lines[-1]})" if lines else ""
