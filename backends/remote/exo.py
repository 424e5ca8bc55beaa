"""Exo's cluster API (default http://localhost:52415), OpenAI-compatible.

Whether Exo returns native tool calls depends on its version and model; caro learns it from the
first answer like any other server's (backends/remote/prompting.py).
"""

from __future__ import annotations

from backends.remote.openai_compat import OpenAICompatBackend


class ExoBackend(OpenAICompatBackend):
    name = "exo"
    probe_path = "/v1/models"
