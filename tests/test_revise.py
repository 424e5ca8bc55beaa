"""GenerationRequest.revised: the request a revision (`r` at the prompt) sends."""

from __future__ import annotations

from backends.protocol import GenerationRequest
from tests._backend_fixtures import CONTEXT


def test_revised_carries_the_first_request_the_change_and_the_last_command() -> None:
    first = GenerationRequest("list files here", "bash", CONTEXT)
    once = first.revised("list files here", previous="ls -la", words="newest first")
    assert once.text == "list files here, newest first (instead of: ls -la)"
    assert (once.previous_command, once.revision) == ("ls -la", "newest first")
    assert (once.shell, once.context) == ("bash", CONTEXT)
    # A second revision starts again from the first request, not from the revised text.
    twice = once.revised("list files here", previous="ls -lat", words="only 5")
    assert twice.text == "list files here, only 5 (instead of: ls -lat)"
    assert first.previous_command is None and first.revision is None
