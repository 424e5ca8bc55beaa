"""The pipeline's knowledge step: which tool a request needs, and that tool's examples.

request -> ``retrieve`` -> (router: which pages; retriever: which of their examples) ->
``GenerationRequest.examples``. The examples come from tldr pages (CC BY 4.0, see
data/ATTRIBUTION.md), built into data/tldr.sqlite by scripts/build_kb.py. When the router is
not confident, nothing is shown: examples of the wrong tool make a small model worse.
"""

from __future__ import annotations

from caro_py.knowledge.retrieve import Retrieval, retrieve

__all__ = ["Retrieval", "retrieve"]
