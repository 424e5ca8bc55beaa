"""Git, containers, clusters, clouds and databases: destructive subcommands."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from safety.checks.base import _DB, _DOCKER, _K8S, Hit, InvocationCheck, _hit, _program, only
from safety.facts import Invocation, Word
from safety.paths import normalise

if TYPE_CHECKING:
    from safety.facts import Walk


def _git(inv: Invocation) -> tuple[str, list[Word]] | None:
    if inv.name != "git":
        return None
    args = list(inv.args)
    i = 0
    while i < len(args):
        text = args[i].text
        if text in (
            "-C",
            "-c",
            "--git-dir",
            "--work-tree",
            "--namespace",
            "--exec-path",
            "--config-env",
        ):
            i += 2
        elif text.startswith("-"):
            i += 1
        else:
            return text, args[i + 1 :]
    return None


def git_sub(sub: str, predicate: Callable[[list[Word]], bool]) -> InvocationCheck:
    @only("git")
    def check(inv: Invocation) -> Iterator[Hit]:
        found = _git(inv)
        if found is not None and found[0] == sub:
            hit = predicate(found[1])
            if hit:
                yield inv.span, "git " + sub

    return check


def _force_push(args: list[Word]) -> bool:
    texts = [a.text for a in args]
    if "--force-with-lease" in texts or any(t.startswith("--force-with-lease=") for t in texts):
        return any(t in ("-f", "--force") for t in texts)
    return (
        any(t in ("--force", "--mirror", "--force-if-includes") for t in texts)
        or any(re.fullmatch(r"-[a-zA-Z]*f[a-zA-Z]*", t) for t in texts)
        or any(t.startswith("+") and len(t) > 1 for t in texts)
    )


def _lease_push(args: list[Word]) -> bool:
    texts = [a.text for a in args]
    return any(t.startswith("--force-with-lease") for t in texts) and not _force_push(args)


def _reset_hard(args: list[Word]) -> bool:
    return any(a.text in ("--hard", "--merge") for a in args)


def _clean_force(args: list[Word]) -> bool:
    flags = "".join(
        a.text[1:] for a in args if a.text.startswith("-") and not a.text.startswith("--")
    )
    longs = {a.text for a in args if a.text.startswith("--")}
    dry = "n" in flags or "--dry-run" in longs
    # -X removes only what .gitignore names (build output); -x takes untracked work too.
    only_ignored = "X" in flags and "x" not in flags
    return ("f" in flags or "--force" in longs) and not dry and not only_ignored


# The git argument tests a data rule's git_sub may name (safety/checks/named.py).
PREDICATES = {
    "force_push": _force_push,
    "lease_push": _lease_push,
    "reset_hard": _reset_hard,
    "clean_force": _clean_force,
}


@only("git")
def git_discards(inv: Invocation) -> Iterator[Hit]:
    found = _git(inv)
    if found is None:
        return
    sub, args = found
    texts = [a.text for a in args]
    if (
        (sub in ("checkout", "restore") and ("." in texts or ":/" in texts) and "-b" not in texts)
        or (sub == "stash" and texts[:1] in (["clear"], ["drop"]))
        or (sub == "branch" and any(t in ("-D",) for t in texts))
        or (sub == "reflog" and texts[:1] == ["expire"])
        or (sub == "gc" and any(t.startswith("--prune=now") for t in texts))
        or sub == "filter-branch"
        or (
            sub == "push"
            and (
                any(t in ("--delete", "-d") for t in texts) or any(t.startswith(":") for t in texts)
            )
        )
        or (sub == "update-ref" and "-d" in texts)
    ):
        yield inv.span, "git " + sub


def _kubectl(inv: Invocation) -> list[str] | None:
    if inv.name not in _K8S:
        return None
    texts = [a.text for a in inv.args]
    if inv.name == "k3s" and texts[:1] == ["kubectl"]:
        texts = texts[1:]
    return texts


_NS = {"ns", "namespace", "namespaces"}
_CLUSTER_WIDE = {
    "node",
    "nodes",
    "no",
    "pv",
    "persistentvolume",
    "persistentvolumes",
    "crd",
    "crds",
    "customresourcedefinition",
    "customresourcedefinitions",
    "clusterrole",
    "clusterroles",
    "clusterrolebinding",
    "clusterrolebindings",
    "storageclass",
    "storageclasses",
    "sc",
    "mutatingwebhookconfiguration",
    "apiservice",
}


@only(_K8S)
def k8s_delete_namespace(inv: Invocation) -> Iterator[Hit]:
    texts = _kubectl(inv)
    if texts and "delete" in texts:
        rest = texts[texts.index("delete") + 1 :]
        if any(t.split("/", 1)[0] in _NS for t in rest if not t.startswith("-")):
            yield inv.span, "kubectl delete namespace"


@only(_K8S)
def k8s_delete_all(inv: Invocation) -> Iterator[Hit]:
    texts = _kubectl(inv)
    if texts and "delete" in texts:
        rest = texts[texts.index("delete") + 1 :]
        if set(rest) & {"--all", "-A", "--all-namespaces"} or any(
            t.split("/", 1)[0].split(",")[0] in _CLUSTER_WIDE for t in rest if not t.startswith("-")
        ):
            yield inv.span, "kubectl delete"


@only(_K8S)
def k8s_delete(inv: Invocation) -> Iterator[Hit]:
    texts = _kubectl(inv)
    if texts and "delete" in texts:
        yield inv.span, "kubectl delete"


def _docker(inv: Invocation) -> list[str] | None:
    if inv.name in ("docker", "podman", "nerdctl"):
        return [a.text for a in inv.args]
    if inv.name == "docker-compose":
        return ["compose", *[a.text for a in inv.args]]
    return None


@only(_DOCKER)
def docker_prune(inv: Invocation) -> Iterator[Hit]:
    texts = _docker(inv)
    if not texts:
        return
    flags = set(texts)
    short = "".join(t[1:] for t in texts if t.startswith("-") and not t.startswith("--"))
    if texts[:2] == ["system", "prune"] and (
        "--volumes" in flags or "--all" in flags or "a" in short
    ):
        yield inv.span, "docker system prune"
    elif texts[:2] == ["volume", "prune"] or texts[:2] == ["system", "reset"]:
        yield inv.span, "docker " + " ".join(texts[:2])
    elif (
        texts[:1] == ["compose"]
        and "down" in texts
        and (flags & {"-v", "--volumes"} or "--rmi" in flags)
    ):
        yield inv.span, "docker compose down -v"


# Listings that only name what is already stopped or unused: removing those is housekeeping.
_HOUSEKEEPING = re.compile(r"(status=(exited|created|dead)|dangling=true)\b")


@_program
def docker_mass_remove(walker: Walk) -> Iterator[Hit]:
    """`docker rm $(docker ps -aq)`: every container, image or volume a listing names."""
    # Stopping is recoverable; removing containers, images and volumes is not.
    verbs = {("rm",), ("rmi",), ("container", "rm"), ("image", "rm"), ("volume", "rm")}
    for inv in walker.invocations:
        texts = _docker(inv) if inv.name in _DOCKER else []
        if not texts:
            continue
        head = tuple(texts[:2]) if tuple(texts[:2]) in verbs else tuple(texts[:1])
        listed = [w for w in inv.args if w.from_subst]
        if head not in verbs or not listed:
            continue
        inside = [
            " ".join(w.text for w in other.argv)
            for other in walker.invocations
            if other is not inv
            and any(w.span[0] <= other.span[0] and other.span[1] <= w.span[1] for w in listed)
        ]
        if inside and all(_HOUSEKEEPING.search(text) for text in inside):
            continue
        yield inv.span, "docker " + " ".join(head)


_HOST_TREES = frozenset({"/", "/etc", "/var/run", "/run", "/root", "/boot", "/usr", "/home"})


@only(_DOCKER)
def docker_host_root(inv: Invocation) -> Iterator[Hit]:
    texts = _docker(inv)
    if not texts or not set(texts[:2]) & {"run", "create"}:
        return
    for i, text in enumerate(texts):
        value = None
        if text in ("-v", "--volume", "--mount") and i + 1 < len(texts):
            value = texts[i + 1]
        elif text.startswith(("--volume=", "--mount=", "-v")) and len(text) > 2:
            value = text.split("=", 1)[-1] if "=" in text and text.startswith("--") else text[2:]
        if value is None:
            continue
        source = value.split(":", 1)[0] if ":" in value and "source=" not in value else ""
        m = re.search(r"(?:source|src)=([^,]*)", value)
        if m:
            source = m.group(1)
        if source and normalise(source) in _HOST_TREES:
            yield inv.span, value


@only("terraform", "tofu", "terragrunt", "pulumi", "cdk", "aws", "gsutil", "gcloud", "az")
def cloud_destroy(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    texts = [a.text for a in inv.args]
    if name in ("terraform", "tofu", "terragrunt", "pulumi", "cdk") and (
        "destroy" in texts or ("apply" in texts and "-destroy" in texts)
    ):
        yield inv.span, name + " destroy"
    elif name == "aws" and texts[:2] == ["s3", "rm"] and "--recursive" in texts:
        yield inv.span, "aws s3 rm --recursive"
    elif name == "aws" and texts[:2] == ["s3", "rb"] and "--force" in texts:
        yield inv.span, "aws s3 rb --force"
    elif name == "gsutil" and "rm" in texts and any(t in ("-r", "-R", "-rf", "-a") for t in texts):
        yield inv.span, "gsutil rm -r"
    elif name == "gcloud" and "projects" in texts and "delete" in texts:
        yield inv.span, "gcloud projects delete"
    elif name == "az" and texts[:2] == ["group", "delete"]:
        yield inv.span, "az group delete"


_DB_WIPE = re.compile(
    r"\bDROP\s+(?:DATABASE|SCHEMA|TABLE)\b|\bTRUNCATE\b|\bFLUSHALL\b|\bFLUSHDB\b|dropDatabase\(",
    re.I,
)


@only(_DB, "dropdb", "mysqladmin")
def db_destroys(inv: Invocation) -> Iterator[Hit]:
    name = inv.name
    if name in ("dropdb",):
        yield inv.span, name
        return
    if name == "mysqladmin" and any(a.text == "drop" for a in inv.args):
        yield inv.span, name
        return
    if name not in _DB:
        return
    for word in inv.args:
        if _DB_WIPE.search(word.text):
            yield _hit(word)
            return
    if inv.stdin_text and _DB_WIPE.search(inv.stdin_text):
        yield inv.span, name


@only("journalctl")
def journal_vacuum(inv: Invocation) -> Iterator[Hit]:
    if inv.name == "journalctl" and any(a.text.startswith("--vacuum") for a in inv.args):
        yield inv.span, "journalctl --vacuum"


# A git deletion repeated by a loop: one stash or branch is everyday, all of them are not.
_GIT_DROP = (
    r"git\s+(?:-C\s+\S+\s+)?(?:stash\s+(?:drop|clear)|branch\s+(?:-D|-d|--delete)\b|"
    r"tag\s+(?:-d|--delete)\b|update-ref\s+-d\b|reflog\s+delete\b|push\s+\S+\s+(?:--delete\b|:))"
)
_LOOPED_DROP = re.compile(
    r"\b(?:for|while|until)\b[^\n]{0,300}?\bdo\b[^\n]{0,300}?\b"
    + _GIT_DROP
    + r"|\b(?:while|until)\s+(?:!\s+)?"
    + _GIT_DROP
)


@_program
def git_drops_in_loop(walker: Walk) -> Iterator[Hit]:
    m = _LOOPED_DROP.search(walker.command[:20_000])
    if m is not None:
        yield (m.start(), m.end()), "git " + m.group(0).split("git", 1)[-1].strip()[:40]
