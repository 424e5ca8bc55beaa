"""assess(): parse, walk, run the rule table, weigh the request, and decide under a policy."""

from __future__ import annotations

from safety.checks import command_key
from safety.checks.table import only_describes
from safety.facts import Invocation, Walk
from safety.intent import intent_findings
from safety.model import Assessment, Decision, Finding, Policy, Risk
from safety.policy import decide, resolve_policy
from safety.rules import COMMAND_RULES, FALLBACK_RULES, PROGRAM_RULES, Rule
from safety.source import sanitise
from safety.walk import walk

# Shells whose syntax the bash grammar reads well enough; others are judged by words only.
POSIX_LIKE = frozenset(
    {"bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "busybox", "fish", "yash", ""}
)


def assess(
    command: str,
    *,
    shell: str = "bash",
    request: str | None = None,
    policy: Policy | str | None = None,
) -> Assessment:
    """Judge `command`: its risk, the findings behind it and the decision under `policy`.

    Deterministic, and never raises: anything unexpected makes the command high risk.
    """
    try:
        active = resolve_policy(policy)
    except Exception:
        active = Policy(level="strict")
    text = _as_text(command)
    try:
        findings, parsed = analyse(text, shell=str(shell or "bash"))
    except Exception:  # a bug here must not let a command through unjudged
        findings = [
            Finding(
                "internal.error",
                "parse",
                "The safety check failed on this command; treat it as dangerous",
                (0, len(text)),
                Risk.HIGH,
            )
        ]
        parsed = False
    risk = max((f.risk for f in findings), default=Risk.SAFE)
    if request:
        try:
            extra = intent_findings(str(request), text, risk)
        except Exception:
            extra = []
        findings.extend(extra)
        risk = max((f.risk for f in findings), default=Risk.SAFE)
    try:
        decision, notes = decide(text, risk, active)
    except Exception:
        decision, notes = (Decision.BLOCK if risk >= Risk.HIGH else Decision.CONFIRM), []
    ordered = sorted(findings, key=lambda f: (-f.risk, f.span, f.rule_id))
    return Assessment(
        command=text,
        risk=risk,
        findings=tuple(ordered + notes),
        decision=decision,
        policy=active,
        parsed=parsed,
    )


def _as_text(command: object) -> str:
    if isinstance(command, str):
        return command
    if isinstance(command, (bytes, bytearray)):
        return bytes(command).decode("utf-8", "replace")
    return "" if command is None else str(command)


def analyse(text: str, *, shell: str = "bash") -> tuple[list[Finding], bool]:
    """Findings for `text` (before policy), and whether the grammar parsed all of it."""
    clean = sanitise(text)
    shell_name = shell.rsplit("/", 1)[-1].lower()
    foreign = shell_name not in POSIX_LIKE
    walked = walk(clean, text, words_only=foreign)
    findings = run_rules(walked, len(clean))
    if foreign:
        findings.append(
            Finding(
                "parse.shell",
                "parse",
                f"{shell} is not a POSIX-style shell; the command was judged by its words only",
                (0, len(clean)),
                Risk.MODERATE,
            )
        )
    parsed = not (walked.parse_errors or walked.long_lines or walked.grammar_missing or foreign)
    return findings, parsed


def _commands(rule: Rule) -> frozenset[str] | None:
    return getattr(rule.check, "commands", None)


_GENERIC: tuple[Rule, ...] = tuple(r for r in COMMAND_RULES if _commands(r) is None)


def _build_index() -> dict[str, tuple[Rule, ...]]:
    index: dict[str, list[Rule]] = {}
    for rule in COMMAND_RULES:
        for name in _commands(rule) or ():
            index.setdefault(name, [])
    for rule in COMMAND_RULES:
        names = _commands(rule)
        for name, rules in index.items():
            if names is None or name in names:
                rules.append(rule)  # keeps table order, so findings come out stable
    return {name: tuple(rules) for name, rules in index.items()}


_INDEX = _build_index()


def rules_for(inv: Invocation) -> tuple[Rule, ...]:
    """The rules that can fire on this invocation (most only look at a few command names)."""
    return _INDEX.get(command_key(inv.name), _GENERIC)


def run_rules(walked: Walk, length: int) -> list[Finding]:
    seen: dict[tuple[str, tuple[int, int]], Finding] = {}

    def record(rule: Rule, span: tuple[int, int], target: str) -> None:
        start = max(0, min(int(span[0]), length))
        end = max(start, min(int(span[1]), length))
        key = (rule.id, (start, end))
        if key not in seen:
            message = rule.message.replace("{target}", target)
            seen[key] = Finding(rule.id, rule.category, message, (start, end), rule.risk)

    for inv in walked.invocations:
        if inv.args and only_describes(inv):
            continue  # `helm uninstall --help`, `kubectl delete --dry-run=client`: nothing runs
        judged = False
        for rule in rules_for(inv):
            for span, target in rule.check(inv):
                record(rule, span, target)
                judged = True
        if not judged:  # the safety net: a destructive verb no rule weighed here
            for rule in FALLBACK_RULES:
                for span, target in rule.check(inv):
                    record(rule, span, target)
    for rule in PROGRAM_RULES:
        for span, target in rule.check(walked):
            record(rule, span, target)
    return _merge_overlaps(list(seen.values()))


def _merge_overlaps(findings: list[Finding]) -> list[Finding]:
    """One finding per rule and place: the grammar and the word scan may both report it."""
    findings.sort(key=lambda f: (f.rule_id, f.span))
    out: list[Finding] = []
    for f in findings:
        if (
            out
            and out[-1].rule_id == f.rule_id
            and f.span[0] < out[-1].span[1]
            and f.span != (0, 0)
        ):
            continue
        out.append(f)
    return out
