"""`caro --history` and `caro --clear-history`: the recorded requests, shown or deleted."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from caro_py import history


def show_history(env: Mapping[str, str], *, limit: int, as_json: bool) -> int:
    path = history.history_path(env)
    entries = history.latest(path, limit)
    if as_json:
        from caro_py.jsonout import dumps

        data = {"file": str(path), "entries": [entry.to_dict() for entry in entries]}
        sys.stdout.write(dumps(data) + "\n")
        return 0
    if not entries:
        sys.stderr.write(f"caro: no history yet ({path})\n")
        return 0
    from caro_py.visible import visible

    for entry in entries:
        when = entry.time.replace("T", " ").removesuffix("+00:00")
        risk = entry.risk or "-"
        sys.stdout.write(
            f"{when}  {entry.outcome:<11} {risk:<8} {visible(entry.request or '')}\n"
            f"    {visible(entry.command or '(no command)')}\n"
        )
    return 0


def clear_history(env: Mapping[str, str], *, as_json: bool) -> int:
    path = history.history_path(env)
    count = history.clear(path)
    if as_json:
        import json

        sys.stdout.write(json.dumps({"file": str(path), "cleared": count}) + "\n")
    else:
        sys.stderr.write(f"caro: history cleared ({count} entries, {path})\n")
    return 0
