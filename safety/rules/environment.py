"""Rules: shell environment hijacks: aliases, PATH, LD_PRELOAD."""

from __future__ import annotations

from safety.checks import environment
from safety.rules.rule import HIGH, MOD, Rule

RULES: tuple[Rule, ...] = (
    # ---- shell environment ----------------------------------------------------------------
    Rule(
        "env.alias-core",
        "environment",
        HIGH,
        "Redefines a core command with an alias ({target})",
        environment.alias_core,
        matches=(
            "alias rm='shred -u'",
            "alias sudo='echo pwned; sudo'",
            "alias ls=rm",
            'alias cd="rm -rf"',
        ),
        non_matches=(
            "alias ll='ls -la'",
            "alias rm='rm -i'",
            "alias ls='ls --color=auto'",
            "alias gs='git status'",
        ),
    ),  # fmt: skip
    Rule(
        "env.function-core",
        "environment",
        MOD,
        "Redefines the core command {target} as a shell function",
        environment.function_core,
        matches=("sudo() { echo x; }", 'ls() { rm "$@"; }'),
        non_matches=('mkcd() { mkdir -p "$1" && cd "$1"; }',),
    ),  # fmt: skip
    Rule(
        "env.path",
        "environment",
        HIGH,
        "Changes PATH to {target}: commands may resolve to other programs",
        environment.replaces_path,
        matches=(
            "export PATH=/tmp/evil",
            "PATH=.:$PATH",
            "export PATH=/tmp:$PATH",
            "unset PATH",
            "PATH= ls",
            "env PATH=./bin make",
        ),
        non_matches=(
            "export PATH=$HOME/.local/bin:$PATH",
            'export PATH="$PATH:/opt/tool/bin"',
            "PATH=/usr/bin:/bin ls",
            "echo $PATH",
        ),
    ),  # fmt: skip
    Rule(
        "env.preload",
        "environment",
        HIGH,
        "Injects a library into programs via {target}",
        environment.preloads_library,
        matches=(
            "LD_PRELOAD=/tmp/x.so ls",
            "export LD_PRELOAD=./hook.so",
            "env LD_PRELOAD=/tmp/a.so sudo -l",
            "DYLD_INSERT_LIBRARIES=x.dylib ./app",
        ),
        non_matches=("echo $LD_PRELOAD", "LD_LIBRARY_PATH=./lib ./app", "unset LD_PRELOAD"),
    ),  # fmt: skip
)
