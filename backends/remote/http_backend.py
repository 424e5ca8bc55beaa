"""What every remote backend shares: settings read once, one lazily made client, probe scaffold.

Generation is shared too: ask the way the server takes (native tool calls, or one plain chat
turn read as text), learned once per server and model (backends/remote/prompting.py); a shape the
server refuses is retried once without it and never sent again; one repair turn, only for an
answer that held something command-like. Subclasses (OpenAICompatBackend, OllamaBackend) add
the wire format: `_check` for the probe, the payload, the tool and stop fields, where the
message sits in a response, and the reader of its message (`_read_message`, called by the
parse step `_parse`).
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import TYPE_CHECKING, Any, ClassVar

from backends import chat_prompt
from backends.command_text import command_problem
from backends.errors import BackendError, NoUsableCommand
from backends.protocol import GeneratedCommand, GenerationRequest, Health
from backends.reasons import plain_reason, short_reason
from backends.remote import prompting as prompting_store
from backends.remote.answer import looks_like_command, without_tool_name
from backends.remote.prompting import REFUSAL_STATUSES, Mode, Prompting
from backends.remote.transport import (
    BackendHTTPError,
    JSONResponse,
    make_client,
    normalize_base_url,
    request_json,
)
from config.model import DEFAULT_BASE_URLS, Settings

if TYPE_CHECKING:
    import httpx

    from backends.command_text import ParsedCommand

#: The answer's length cap when the config sets none: a one-line command and a little
#: lead-in fit; a small model's ramble past that is time spent on nothing caro uses.
MAX_TOKENS = 160
#: Requests one command may cost before caro gives up: the first ask and one more (the plain
#: ask after the tool request, or a repair). A refused request counts; only the retry of a
#: plain request without stops, once per server, comes on top.
MAX_ASKS = 2


class _Refused(Exception):
    """The server answered a request carrying ``fields`` with an error status."""

    def __init__(self, fields: set[str], error: BackendHTTPError) -> None:
        super().__init__(error.message)
        self.fields = fields
        self.error = error


class HttpBackend:
    """Base of the backends that talk HTTP to a server."""

    name: str = "http"
    #: Where chat requests go.
    chat_path: ClassVar[str] = "/v1/chat/completions"
    #: The length cap when neither the config nor the backend sets one.
    default_max_tokens: ClassVar[int] = MAX_TOKENS

    def __init__(self, settings: Settings, *, use_overrides: bool = True) -> None:
        own = settings.backend_settings(self.name)
        # --base-url and --model name the backend caro picks, never its fallbacks.
        override_url = settings.base_url if use_overrides else None
        self.base_url = self.normalize_url(
            override_url or own.base_url or DEFAULT_BASE_URLS.get(self.name, "")
        )
        self.configured_model = (settings.model if use_overrides else None) or own.model
        self.timeout = settings.timeout_for(self.name)
        self.max_tokens = own.max_tokens or self.default_max_tokens
        self.probe_timeout = settings.probe_timeout_ms / 1000
        self._client: httpx.AsyncClient | None = None
        self._models: tuple[str, ...] | None = None
        self._learned: dict[str, Prompting] = {}
        self.requests_made = 0
        # Retrieved examples: only with [retrieval] enabled = true. Unset, servers go without:
        # measured through a served SmolLM2 (README, "Server backends"), they cost 1.9-3.4x the
        # latency with no gain that a model here could show.
        self.use_examples = settings.retrieval.enabled is True
        #: Shape refusals seen, for -v: "500 to a request with tools".
        self.refusals: list[str] = []

    @staticmethod
    def normalize_url(url: str) -> str:
        return normalize_base_url(url)

    def headers(self) -> dict[str, str]:
        return {}

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = make_client(self.base_url, headers=self.headers())
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _get(self, path: str, timeout: float) -> JSONResponse:
        return await request_json(self.client, "GET", path, backend=self.name, timeout=timeout)

    async def _post(self, path: str, payload: dict[str, Any]) -> JSONResponse:
        self.requests_made += 1
        return await request_json(
            self.client, "POST", path, backend=self.name, timeout=self.timeout, payload=payload
        )

    # ------------------------------------------------------------------ probe

    async def probe(self) -> Health:
        """Up or down with the reason; never raises."""
        started = time.perf_counter()
        try:
            return await self._check(started)
        except BackendError as exc:
            return self._health(False, started, detail=short_reason(exc))
        except Exception as exc:  # a probe reports down instead of raising
            return self._health(False, started, detail=f"the probe failed: {plain_reason(exc)}")

    async def _check(self, started: float) -> Health:
        """One probe's requests; a BackendError raised here means down."""
        raise NotImplementedError

    def _time_left(self, started: float) -> float:
        """What is left of the probe's budget, shared by its requests."""
        return self.probe_timeout - (time.perf_counter() - started)

    def _health(self, up: bool, started: float, *, detail: str | None = None) -> Health:
        return Health(
            name=self.name,
            up=up,
            latency_ms=(time.perf_counter() - started) * 1000,
            models=self._models or (),
            base_url=self.base_url,
            detail=detail,
        )

    # ------------------------------------------------------------------ generation

    async def generate(self, request: GenerationRequest) -> GeneratedCommand:
        """One command for ``request``; retrieved examples go in only when the config says so."""
        if request.examples and not self.use_examples:
            request = dataclasses.replace(request, examples=())
        generated = await self._generate(request)
        generated.examples_used = request.examples
        return generated

    async def _generate(self, request: GenerationRequest) -> GeneratedCommand:
        """Ask the way this server takes (backends/remote/prompting.py); repair only a near miss.

        Common case, once learned: one request. First contact with a server that ignores or
        refuses tools: the tool request, then the plain one. A repair turn follows only an
        answer that held something command-like, and only as the second request.
        """
        started = time.perf_counter()
        self.check_ready()
        model = await self.resolve_model()
        resolved = time.perf_counter()
        prompting = self._prompting_for(model)
        asked = 0
        refused: _Refused | None = None
        if prompting.mode != "text" and "tools" not in prompting.refused:
            asked += 1
            try:
                body = await self._ask(model, prompting, request=request, tools=True)
            except _Refused as exc:
                refused = exc  # asked the plain way next; remembered once that works
            else:
                message = self._message(body)
                if prompting.mode is None:
                    self._learn(model, prompting, "tools" if _has_tool_calls(message) else "text")
                try:
                    return self._result(self._parse(message), model, body, started, resolved)
                except NoUsableCommand as exc:
                    # A tool call that missed may be repaired; text written around a tool
                    # the server never offered is asked again the plain way.
                    if prompting.mode == "tools":
                        return await self._repair(
                            request, model, prompting, _answer_text(message), exc,
                            started, resolved, asked,
                        )  # fmt: skip
        # Right after a refusal the plainest request goes: if that fails too, the server is
        # failing, and no other field is wrongly blamed.
        body = await self._ask(
            model, prompting, request=request, tools=False, stops=refused is None
        )
        asked += 1
        if refused is not None:
            # The same request without the tool worked: the server refused it, not failed.
            self._refuse(model, prompting, refused)
        message = self._message(body)
        try:
            return self._result(self._parse(message), model, body, started, resolved)
        except NoUsableCommand as exc:
            return await self._repair(
                request, model, prompting, _answer_text(message), exc, started, resolved,
                asked,
            )  # fmt: skip

    async def _repair(
        self,
        request: GenerationRequest,
        model: str,
        prompting: Prompting,
        answer: str,
        first: NoUsableCommand,
        started: float,
        resolved: float,
        asked: int,
    ) -> GeneratedCommand:
        """One follow-up turn when the answer held a command caro could not use; else give up."""
        if asked >= MAX_ASKS or not looks_like_command(answer):
            raise self._unusable(model, first, repaired=False)
        messages = chat_prompt.repair_messages(request, answer, first.message)
        body = await self._ask(model, prompting, messages=messages, tools=False)
        try:
            return self._result(self._parse(self._message(body)), model, body, started, resolved)
        except NoUsableCommand as second:
            raise self._unusable(model, second, repaired=True) from None

    async def _ask(
        self,
        model: str,
        prompting: Prompting,
        *,
        tools: bool,
        request: GenerationRequest | None = None,
        messages: list[dict[str, Any]] | None = None,
        stops: bool = True,
    ) -> Any:
        """One generation's response body.

        A refused shape (an error status right after a request carrying optional fields):
        the tool request raises _Refused, for the caller to ask the plain way; a plain request
        is sent once more without its stops, which are then never sent again.
        """
        if messages is None:
            assert request is not None
            messages = chat_prompt.messages(request, answer="tool" if tools else "command")
        payload = self._payload(model, messages)
        sent: set[str] = set()
        if tools:
            self._add_tools(payload)
            sent.add("tools")
        elif stops and "stop" not in prompting.refused:
            self._add_stops(payload, list(chat_prompt.TEXT_STOPS))
            sent.add("stop")
        try:
            return (await self._post(self.chat_path, payload)).body
        except BackendHTTPError as exc:
            if not sent or exc.status not in REFUSAL_STATUSES:
                raise
            refused = _Refused(sent, exc)
        if tools:
            raise refused
        body = (await self._post(self.chat_path, self._payload(model, messages))).body
        self._refuse(model, prompting, refused)
        return body

    # ------------------------------------------------------------------ what was learned

    def _prompting_for(self, model: str) -> Prompting:
        key = prompting_store.server_key(self.name, self.base_url, model)
        found = self._learned.get(key)
        if found is None:
            found = self._learned[key] = prompting_store.load(key)
        return found

    def _learn(self, model: str, prompting: Prompting, mode: Mode) -> None:
        prompting.mode = mode
        self._save(model, prompting)

    def _refuse(self, model: str, prompting: Prompting, refused: _Refused) -> None:
        prompting.refused |= refused.fields
        if "tools" in refused.fields:
            prompting.mode = "text"
        self.refusals.append(
            f"{refused.error.status} to a request with {', '.join(sorted(refused.fields))}"
        )
        self._save(model, prompting)

    def _save(self, model: str, prompting: Prompting) -> None:
        prompting_store.save(prompting_store.server_key(self.name, self.base_url, model), prompting)

    # ------------------------------------------------------------------ wire format hooks

    def check_ready(self) -> None:
        """Raise BackendUnavailable when the backend cannot work as configured (e.g. no key)."""

    async def resolve_model(self) -> str:
        raise NotImplementedError

    def _payload(self, model: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """The plain chat request: model, messages, length cap, no streaming."""
        raise NotImplementedError

    def _add_tools(self, payload: dict[str, Any]) -> None:
        """Declare the execute_shell tool (and choose it, where the API can say so)."""
        raise NotImplementedError

    def _add_stops(self, payload: dict[str, Any], stops: list[str]) -> None:
        raise NotImplementedError

    def _message(self, body: Any) -> dict[str, Any]:
        """The assistant message in a response body; BackendProtocolError when there is none."""
        raise NotImplementedError

    def _read_message(self, message: dict[str, Any]) -> ParsedCommand:
        """The wire format's reader: the command in an assistant message; NoUsableCommand when
        it holds none."""
        raise NotImplementedError

    def _parse(self, message: dict[str, Any]) -> ParsedCommand:
        """The parse step: the wire format's reader, then a tool name written in front of the
        command is taken off (and what is left judged again)."""
        parsed = self._read_message(message)
        command = without_tool_name(parsed.command)
        if command == parsed.command:
            return parsed
        problem = command_problem(command) if command else "the model gave an empty command"
        if problem is not None:
            raise NoUsableCommand(problem, raw=parsed.command, backend=self.name)
        return dataclasses.replace(parsed, command=command)

    def _unusable(self, model: str, exc: NoUsableCommand, *, repaired: bool) -> NoUsableCommand:
        after = ", even after a repair request" if repaired else ""
        return NoUsableCommand(
            f"{self.name} ({model}) gave no usable command{after}: {exc.message}",
            raw=exc.raw,
            backend=self.name,
        )

    def _result(
        self,
        parsed: ParsedCommand,
        model: str,
        body: Any,
        started: float,
        resolved: float,
    ) -> GeneratedCommand:
        done = time.perf_counter()
        reported = body.get("model") if isinstance(body, dict) else None
        return GeneratedCommand(
            command=parsed.command,
            backend=self.name,
            model=reported if isinstance(reported, str) and reported else model,
            explanation=parsed.explanation,
            raw=body,
            timings_ms={
                "model_lookup": (resolved - started) * 1000,
                "generate": (done - started) * 1000,
                "requests": float(self.requests_made),
            },
        )


def _answer_text(message: dict[str, Any]) -> str:
    """The previous answer as text: its content, else the commands its tool calls carried."""
    content = message.get("content")
    if isinstance(content, str) and content.strip():
        return content
    calls = message.get("tool_calls") or []
    found: list[str] = []
    for call in calls if isinstance(calls, list) else []:
        function = call.get("function") if isinstance(call, dict) else None
        arguments = function.get("arguments") if isinstance(function, dict) else None
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments)
            except ValueError:
                found.append(arguments)
                continue
        if isinstance(arguments, dict) and isinstance(arguments.get("command"), str):
            found.append(arguments["command"])
    return "\n".join(found) if found else json.dumps(calls, default=str) if calls else ""


def _has_tool_calls(message: dict[str, Any]) -> bool:
    return bool(message.get("tool_calls") or message.get("function_call"))
