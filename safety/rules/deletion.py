"""Rules: recursive deletion of root, home, the working directory or system trees."""

from __future__ import annotations

from safety.checks import deletion
from safety.paths import Place
from safety.rules.rule import CRIT, HIGH, MOD, Rule

RULES: tuple[Rule, ...] = (
    # ---- recursive deletion ---------------------------------------------------------------
    Rule(
        "delete.root",
        "deletion",
        CRIT,
        "Deletes everything under {target}: the whole system",
        deletion.deletes_place(Place.ROOT),
        matches=(
            "rm -rf /",
            "rm -rf /*",
            "rm --recursive --force /",
            "rm -r -f --no-preserve-root /",
            "sudo rm -fr //",
            "find / -delete",
            "find / -exec rm -rf {} \\;",
            "cd / && rm -rf *",
            "rm -rf /tmp/../",
            "mv / /dev/null",
            "rsync -a --delete empty/ /",
        ),
        non_matches=(
            "rm -rf ./build",
            "rm -rf /tmp/build",
            "find / -name '*.pyc'",
            "echo rm -rf /",
            "rm /tmp/x",
            "find . -delete",
        ),
    ),  # fmt: skip
    Rule(
        "delete.home",
        "deletion",
        CRIT,
        "Deletes your whole home directory ({target})",
        deletion.deletes_place(Place.HOME, glob_too=True),
        matches=(
            "rm -rf ~",
            "rm -f ~/*",
            "rm -rf ~/**",
            "rm -rf ~/.[a-z]*",
            'rm -rf "$HOME"',
            "rm -rf ${HOME}/",
            "rm -rf ~/*",
            "rm -rf /home/alice",
            "find ~ -delete",
            "rm -rf /root",
            "mv ~ /dev/null",
            "rm -rf ~/..",
            "rm -Rf /Users/bob",
            "find ~ -type f -print0 | xargs -0 rm -f",
        ),
        non_matches=(
            "rm -rf ~/Downloads/tmp",
            "rm -rf ~/.cache/pip",
            "rm ~/notes.txt",
            'rm -rf "$HOME/.npm/_cacache"',
        ),
    ),  # fmt: skip
    Rule(
        "delete.system",
        "deletion",
        CRIT,
        "Deletes the system directory {target}, which breaks the machine",
        deletion.deletes_place(Place.SYSTEM_TOP, glob_too=True),
        matches=(
            "rm -rf /etc",
            "rm -rf /usr/*",
            "sudo rm -rf /boot",
            "rm -rf /var/lib",
            "rm /bin/*",
            "find /etc -delete",
            "rm -rf /lib64",
            "mv /etc /tmp/etc.old",
        ),
        non_matches=("rm -rf /etc/nginx/sites-enabled/default.bak", "rm -rf /tmp/usr", "ls /usr"),
    ),  # fmt: skip
    Rule(
        "delete.home-data",
        "deletion",
        HIGH,
        "Deletes {target}, which holds keys or your own documents",
        deletion.deletes_place(Place.HOME_DATA, recursive=False, glob_too=True),
        matches=(
            "rm -rf ~/.ssh",
            "rm -rf ~/{.gnupg,Music}",
            "rm -rf ~/Documents/*",
            "rm ~/.ssh/id_ed25519",
            "find ~/.gnupg -delete",
            'ls ~ | while read f; do rm -rf ~/"$f"; done',
            "find ~/Documents -name '*' | xargs -I{} rm -rf {}",
            "rm -rf /root/.ssh",
        ),
        non_matches=(
            "rm ~/.ssh/known_hosts",
            "rm -rf ~/Documents/old-draft",
            "find ~/projects -name node_modules -type d -prune -exec rm -rf {} +",
            "rm -rf ~/.cache/pip",
            "rm ~/.ssh/id_rsa.pub",
            "ls ~/Documents",
        ),
    ),  # fmt: skip
    Rule(
        "delete.top-dir",
        "deletion",
        HIGH,
        "Deletes the top-level directory {target} and everything in it",
        deletion.deletes_place(Place.TOP_DIR, glob_too=True),
        matches=("rm -rf /data", "sudo rm -rf /backup/*", "kubectl exec -it db -- rm -rf /data"),
        non_matches=("rm -rf /tmp/x", "rm -rf /data/cache/old", "rm -rf /tmp", "rm /data"),
    ),  # fmt: skip
    Rule(
        "delete.unknown",
        "deletion",
        HIGH,
        "Deletes {target}, a path read from input or passed in, so it could be anything",
        deletion.deletes_unknown,
        matches=(
            'f(){ rm -rf "$1"; }; f ~',
            'read d; rm -rf "$d"',
            'cleanup() { rm -rf "$@"; }',
            'while read -r p; do rm -rf "$p"; done < list.txt',
        ),
        non_matches=(
            'f(){ rm -rf "build/$1"; }',
            'for f in *.log; do rm "$f"; done',
            'read d; rm "$d.tmp"',
            'rm -rf "$(mktemp -d)"',
        ),
    ),  # fmt: skip
    Rule(
        "delete.repository",
        "git",
        HIGH,
        "Deletes the repository's history ({target}): unpushed commits, branches and stashes",
        deletion.deletes_repository,
        matches=("rm -rf .git", "rm -rf ./project/.git/", "cd app && rm -rf .git"),
        non_matches=("rm -rf .git/hooks/pre-commit.sample", "rm -rf .github", "rm .gitignore"),
    ),  # fmt: skip
    Rule(
        "delete.system-file",
        "deletion",
        HIGH,
        "Deletes system files ({target})",
        deletion.deletes_place(Place.SYSTEM, recursive=False),
        matches=(
            "rm /usr/bin/python3",
            "sudo rm -f /etc/hosts",
            "rm -rf /usr/local/lib/node_modules",
            "find /etc -name '*.conf' -exec rm {} \\;",
            "mv /etc/hosts /dev/null",
        ),
        non_matches=("rm ./etc/hosts", "rm -rf build/usr", "cat /etc/hosts"),
    ),  # fmt: skip
    Rule(
        "delete.cwd",
        "deletion",
        HIGH,
        "Deletes everything in the current directory ({target})",
        deletion.deletes_place(Place.CWD),
        matches=(
            "rm -rf *",
            "rm -rf .",
            "rm -rf ./*",
            "rm -fr -- *",
            'rm -rf "$PWD"',
            "ls | xargs rm -rf",
            "find . -exec rm -rf {} +",
        ),
        non_matches=("rm -rf ./node_modules", "rm *.log", "rm -rf build/*", "rm -rf ./dist"),
    ),  # fmt: skip
    Rule(
        "delete.parent",
        "deletion",
        HIGH,
        "Deletes the parent directory ({target})",
        deletion.deletes_place(Place.PARENT),
        matches=("rm -rf ..", "rm -rf ../*", "rm -rf ../../"),
        non_matches=("rm -rf ../build", "rm ../notes.txt"),
    ),  # fmt: skip
    Rule(
        "delete.unset-var",
        "deletion",
        HIGH,
        "Deletes {target}: if the variable is empty or unset this becomes a system path",
        deletion.deletes_place(Place.EMPTY_VAR),
        matches=('rm -rf "$STEAMROOT/"*', "rm -rf $DIR/", 'rm -rf "$PREFIX"/usr'),
        non_matches=('rm -rf "${BUILD_DIR:?}/"*', 'rm -rf "$BUILD_DIR"', "rm -rf ./$name"),
    ),  # fmt: skip
    Rule(
        "delete.wide-find",
        "deletion",
        HIGH,
        "Deletes matching files across {target}",
        deletion.find_wide_delete,
        matches=(
            "find / -name '*.log' -delete",
            "find ~ -type f -name '*.bak' -exec rm {} +",
        ),
        non_matches=("find . -name '*.pyc' -delete", "find / -name '*.log'"),
    ),  # fmt: skip
    Rule(
        "delete.to-null",
        "deletion",
        HIGH,
        "Moves {target} onto /dev/null, which destroys it (and, as root, replaces /dev/null)",
        deletion.moves_to_null,
        matches=("mv notes.txt /dev/null", "sudo mv ./data /dev/null"),
        non_matches=("mv notes.txt /tmp/", "cp /dev/null notes.txt"),
    ),  # fmt: skip
    Rule(
        "delete.recursive",
        "deletion",
        MOD,
        "Deletes {target} and everything inside it",
        deletion.deletes_place(Place.OTHER),
        matches=("rm -rf ./build", "rm -r node_modules", "rm -rf /tmp/cache"),
        non_matches=("rm notes.txt", "rm -f *.o", "rmdir build"),
    ),  # fmt: skip
    Rule(
        "delete.all-files",
        "deletion",
        MOD,
        "Deletes every file in the current directory ({target})",
        deletion.deletes_all_files,
        matches=("rm *", "rm -f ./*"),
        non_matches=("rm *.tmp", "rm -rf build"),
    ),  # fmt: skip
)
