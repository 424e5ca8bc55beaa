"""Exo's cluster API (default http://localhost:52415), OpenAI-compatible."""

from __future__ import annotations

from backends.openai_compat import OpenAICompatBackend


class ExoBackend(OpenAICompatBackend):
    name = "exo"
    probe_path = "/v1/models"
    # Exo's handling of response_format is not documented: the JSON retry relies on the prompt.
    json_format = None
