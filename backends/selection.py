"""Pick the backend that answers: explicit choice or auto-detection, then fallback.

Auto: probe every enabled backend in `settings.order` at once (or trust a fresh cached result),
use the highest-priority one that is up, and on failure fall back down the order, ending at
embedded. Explicit: use that backend; on failure fall back to embedded only, and only when
`settings.fallback` allows it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from backends import detect
from backends.errors import BackendError, BackendUnavailable, NoUsableCommand, SelectionError
from backends.protocol import (
    CommandGenerator,
    GeneratedCommand,
    GenerationRequest,
    Health,
    PlatformContext,
)
from backends.reasons import plain_reason, short_reason
from backends.registry import check_name, create_backend
from config.errors import ConfigError
from config.model import BACKEND_NAMES, Settings

EMBEDDED = "embedded"
#: How long `caro --backends` waits for the embedded backend's own check.
EMBEDDED_PROBE_TIMEOUT_S = 10.0


@dataclass
class Outcome:
    generated: GeneratedCommand
    fallback_from: list[str] = field(default_factory=list)  # tried and failed, in order
    trail: list[str] = field(default_factory=list)  # lines for --verbose
    detect_ms: float = 0.0


async def generate(
    request: GenerationRequest,
    settings: Settings,
    *,
    explicit: str | None = None,
    on_event: Callable[[str], None] | None = None,
) -> Outcome:
    """One command from the chosen or detected backend, falling back as the settings allow.

    Raises BackendError (exit 3) when no backend produced an answer, NoUsableCommand (exit 6)
    when backends answered but none with a usable command, SelectionError for a bad name.
    """
    run = _Run(request, settings, on_event)
    try:
        if explicit is not None and explicit != "auto":
            return await run.explicit(explicit)
        return await run.auto()
    except (BackendError, NoUsableCommand) as exc:
        exc.trail = tuple(run.trail)  # -v shows what was tried
        raise
    finally:
        await run.close()


async def probe_all(settings: Settings, context: PlatformContext | None = None) -> list[Health]:
    """Every backend's health, probed concurrently, in BACKEND_NAMES order (for --backends).

    ``context`` is where requests would come from; the embedded backend's prefix-cache state
    depends on it.
    """
    backends: list[CommandGenerator] = []

    async def one(name: str) -> Health:
        if name != EMBEDDED and not settings.backend_settings(name).enabled:
            url = settings.backend_settings(name).base_url
            return Health(name=name, up=False, base_url=url, detail="disabled in config")
        started = time.perf_counter()
        try:
            backend = create_backend(name, settings, use_overrides=False, context=context)
        except BackendError as exc:
            return Health(name=name, up=False, detail=exc.message)
        backends.append(backend)
        limit = (
            EMBEDDED_PROBE_TIMEOUT_S
            if name == EMBEDDED
            else settings.probe_timeout_ms / 1000 + 0.05
        )
        try:
            return await asyncio.wait_for(backend.probe(), limit)
        except asyncio.TimeoutError:
            detail = f"no answer within {limit * 1000:.0f} ms"
        except Exception as exc:  # the table shows a broken probe as down
            detail = f"the probe failed: {plain_reason(exc)}"
        return Health(
            name=name,
            up=False,
            latency_ms=(time.perf_counter() - started) * 1000,
            base_url=getattr(backend, "base_url", None),
            detail=detail,
        )

    try:
        return list(await asyncio.gather(*(one(name) for name in BACKEND_NAMES)))
    finally:
        await asyncio.gather(*(b.aclose() for b in backends), return_exceptions=True)


def auto_candidates(settings: Settings) -> list[str]:
    """The enabled backends auto-detection considers, in priority order."""
    names: list[str] = []
    for name in settings.order:
        if name not in BACKEND_NAMES:
            raise ConfigError(
                f"order: unknown backend {name!r}; valid names: {', '.join(BACKEND_NAMES)}"
            )
        enabled = (
            settings.embedded.enabled
            if name == EMBEDDED
            else (settings.backend_settings(name).enabled)
        )
        if enabled and name not in names:
            names.append(name)
    # The generic endpoint is opt-in: once enabled, it goes just before embedded.
    if "openai" not in names and settings.backend_settings("openai").enabled:
        at = names.index(EMBEDDED) if EMBEDDED in names else len(names)
        names.insert(at, "openai")
    return names


class _Run:
    """The state of one generate() call: backends made, failures seen, lines for --verbose."""

    def __init__(
        self,
        request: GenerationRequest,
        settings: Settings,
        on_event: Callable[[str], None] | None,
    ) -> None:
        self.request = request
        self.settings = settings
        self.on_event = on_event
        self.backends: dict[str, CommandGenerator] = {}
        self.failures: list[tuple[str, BackendError | NoUsableCommand]] = []
        self.trail: list[str] = []
        self.detect_ms = 0.0
        self._logged: set[str] = set()
        self._overridden: set[str] = set()  # backends made with --model/--base-url applied
        self._detector: detect.Detector | None = None

    async def close(self) -> None:
        if self._detector is not None:
            self._detector.cancel()
        await asyncio.gather(*(b.aclose() for b in self.backends.values()), return_exceptions=True)

    # ------------------------------------------------------------------ explicit choice

    async def explicit(self, name: str) -> Outcome:
        check_name(name)
        self.trail.append(f"backend {name}: chosen explicitly, no detection")
        generated = await self._attempt(name, use_overrides=True)
        if generated is not None:
            return self._outcome(generated)
        if name != EMBEDDED and self.settings.fallback:
            self._announce(name, EMBEDDED)
            generated = await self._attempt(EMBEDDED, use_overrides=False)
            if generated is not None:
                return self._outcome(generated)
        raise self._final_error()

    # ------------------------------------------------------------------ auto-detection

    async def auto(self) -> Outcome:
        if self.settings.base_url:
            raise SelectionError("--base-url names one server: use it together with --backend NAME")
        candidates = auto_candidates(self.settings)
        if not candidates:
            raise BackendUnavailable(
                "every backend is disabled in the config; enable one or pick one with --backend"
            )
        for name in candidates:
            if name != EMBEDDED:
                # Probing needs no --model; the backend that is tried first gets it (_attempt).
                self.backends[name] = create_backend(name, self.settings, use_overrides=False)
        # Counted from here: creating the backends imported their modules (httpx among them),
        # a start-up cost rather than detection time.
        started = time.perf_counter()
        key = detect.cache_key(
            (name, getattr(self.backends.get(name), "base_url", None)) for name in candidates
        )
        detector = self._detector = detect.Detector(
            self.backends, candidates, self.settings.probe_timeout_ms / 1000
        )
        tried: list[str] = []
        cached = detect.read_cache(key, self.settings.detect_cache_seconds)
        cached_name = cached[0] if cached and cached[0] in candidates else None
        if cached and cached_name:
            self.detect_ms += (time.perf_counter() - started) * 1000
            self.trail.append(f"detect: {cached_name} from cache ({cached[1]:.0f} s old)")
            generated = await self._attempt(
                cached_name, use_overrides=self._auto_overrides(cached_name)
            )
            if generated is not None:
                return self._outcome(generated)
            detect.drop_cache()
            self.trail.append(f"detect: dropped the cached choice {cached_name}")
            tried.append(cached_name)
            started = time.perf_counter()
        detector.start(skip=tried)
        while True:
            found = await detector.next_healthy(exclude=tried)
            self.detect_ms += (time.perf_counter() - started) * 1000
            self._log_probes(detector)
            if found is None:
                break
            name = found
            if tried:
                if not self.settings.fallback:
                    self.trail.append("fallback is off in the config: not trying others")
                    break
                self._announce(tried[-1], name)
            else:
                self.trail.append(f"detect: {name} chosen in {self.detect_ms:.1f} ms")
            generated = await self._attempt(name, use_overrides=self._auto_overrides(name))
            if generated is not None:
                if name not in detect.UNPROBED and name != cached_name:
                    detect.write_cache(key, name)
                return self._outcome(generated)
            if name == cached_name:
                detect.drop_cache()
            tried.append(name)
            started = time.perf_counter()
        raise self._final_error()

    def _auto_overrides(self, name: str) -> bool:
        """Whether --model applies to `name` in auto mode.

        --model names the model of the server caro picks, not of its fallbacks; and embedded
        takes it only when chosen with --backend embedded: in auto mode it is the last resort
        when no server is up, and a server's model name means nothing to it.
        """
        if name == EMBEDDED:
            if self.settings.model:
                self.trail.append("embedded: --model is for a detected server; keeping its own")
            return False
        return not self.failures

    def _log_probes(self, detector: detect.Detector) -> None:
        for name in detector.order:
            health = detector.healths.get(name)
            if health is None or name in self._logged:
                continue
            self._logged.add(name)
            state = "up" if health.up else "down"
            latency = f" {health.latency_ms:.1f} ms" if health.latency_ms is not None else ""
            extra = f" ({health.detail})" if health.detail else ""
            models = f" models: {', '.join(health.models[:5])}" if health.models else ""
            self.trail.append(
                f"probe {name} {health.base_url or ''}: {state}{latency}{extra}{models}"
            )

    # ------------------------------------------------------------------ attempts and errors

    async def _attempt(self, name: str, *, use_overrides: bool) -> GeneratedCommand | None:
        """Ask one backend; None (with the failure recorded) when it did not work out."""
        started = time.perf_counter()
        try:
            backend = self.backends.get(name)
            wants_overrides = use_overrides and bool(self.settings.model or self.settings.base_url)
            if backend is None or (wants_overrides and name not in self._overridden):
                if backend is not None:
                    await backend.aclose()
                backend = create_backend(name, self.settings, use_overrides=use_overrides)
                self.backends[name] = backend
                if wants_overrides:
                    self._overridden.add(name)
            generated = await backend.generate(self.request)
        except (BackendError, NoUsableCommand) as exc:
            exc.backend = exc.backend or name
            self._fail(name, exc, started)
            return None
        except (SelectionError, ConfigError):
            raise
        except Exception as exc:  # a bug in one backend must not hide the others
            # People read a sentence; the exception's repr is for the -v trail.
            self.trail.append(f"{name}: unexpected {exc!r}"[:300])
            message = f"{name} failed unexpectedly: {plain_reason(exc)}"
            self._fail(name, BackendError(message, backend=name), started)
            return None
        elapsed = (time.perf_counter() - started) * 1000
        self.trail.append(
            f"{name}: answered in {elapsed:.0f} ms with model {generated.model or 'unknown'}"
        )
        return generated

    def _fail(self, name: str, exc: BackendError | NoUsableCommand, started: float) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        self.failures.append((name, exc))
        self.trail.append(f"{name}: failed after {elapsed:.0f} ms: {exc.message}")

    def _announce(self, failed: str, next_name: str) -> None:
        reason = next((short_reason(e) for n, e in reversed(self.failures) if n == failed), "")
        message = f"falling back from {failed} to {next_name}: {reason}"
        self.trail.append(message)
        if self.on_event is not None:
            self.on_event(message)

    def _outcome(self, generated: GeneratedCommand) -> Outcome:
        return Outcome(
            generated=generated,
            fallback_from=[name for name, _ in self.failures],
            trail=self.trail,
            detect_ms=self.detect_ms,
        )

    def _final_error(self) -> BackendError | NoUsableCommand:
        unusable = [(n, e) for n, e in self.failures if isinstance(e, NoUsableCommand)]
        details = "; ".join(f"{n}: {short_reason(e)}" for n, e in self.failures)
        if unusable:
            name, last = unusable[-1]
            message = last.message if len(self.failures) == 1 else f"no usable command ({details})"
            return NoUsableCommand(message, raw=last.raw, backend=name)
        healths = self._detector.healths.values() if self._detector else []
        down = "; ".join(
            f"{h.name} at {h.base_url}: {h.detail or 'down'}" for h in healths if not h.up
        )
        hint = "start Ollama, LM Studio, vLLM or Exo, or name a backend with --backend"
        if not self.failures:
            return BackendUnavailable(f"no backend is running ({down or 'none enabled'}); {hint}")
        if len(self.failures) == 1 and not down:
            return self.failures[0][1]
        if all(isinstance(e, BackendUnavailable) for _, e in self.failures):
            return BackendUnavailable(
                "no backend could answer ("
                + "; ".join(p for p in (down, details) if p)
                + f"); {hint}"
            )
        return BackendError(f"every backend failed ({details})")
