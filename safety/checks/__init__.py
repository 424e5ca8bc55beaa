"""The predicates behind the rule table, one module per kind of harm: each check looks at one
invocation (or the whole walk) and yields (span, target) for every place it matches."""

from safety.checks.disk import is_mkfs


def command_key(name: str) -> str:
    """The index key for a command name: every mkfs.* spelling shares one."""
    return "mkfs" if is_mkfs(name) else name
