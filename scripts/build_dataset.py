#!/usr/bin/env python3
"""Build the shell-command dataset (FunctionGemma format) from tldr pages + our own examples.

Reads the tldr pages (CC BY 4.0) from ../shared/tldr-pages at build time; nothing from them
is copied into the repository. Writes train/dev/test JSONL and stats.json to --out.
The split is by page (a hash of the page name), so no paraphrase of a test page is trained on.

    python scripts/build_dataset.py --out runs/data
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from _examples import OWN_FILE, Topic, everyday_files, load_topics  # noqa: E402
from _shellspec import (  # noqa: E402
    Page,
    clean_description,
    fill_command,
    read_pages,
    split_of,
)
from _shown_examples import ExampleChooser, Shown  # noqa: E402

from backends.embedded.functiongemma import render_prompt, render_target  # noqa: E402
from backends.protocol import PlatformContext  # noqa: E402
from caro_py.knowledge.command_tool import tool_of  # noqa: E402

# Command names per category, for per-category accuracy.
_CATEGORY_WORDS = {
    "files": """
        basename chgrp chmod chown cp df dirname du fd file find install ln locate ls mkdir
        mktemp mv realpath rename rm rmdir rsync shred stat touch tree truncate
    """,
    "text": """
        awk base64 cat column comm cut diff egrep fmt fold grep head hexdump iconv join jq
        less md5sum more nl od paste rev rg sed sha1sum sha256sum sort split strings tac tail
        tee tr uniq wc xargs xxd yq
    """,
    "archives": """
        7z bunzip2 bzip2 gunzip gzip tar unxz unzip xz zcat zip zstd
    """,
    "network": """
        arp curl dig host ifconfig ip iptables mtr nc ncat netstat nmap nmcli nslookup ping
        route scp sftp ss ssh telnet traceroute ufw wget whois
    """,
    "processes": """
        bg crontab fg htop jobs journalctl kill killall launchctl lsof nice nohup pgrep pkill
        ps renice service systemctl time timeout top watch
    """,
    "vcs": """
        gh git hg svn
    """,
    "containers": """
        docker docker-compose helm kubectl minikube podman
    """,
    "packages": """
        apk apt apt-cache apt-get brew cargo dnf dpkg flatpak gem npm pacman pip pip3 pnpm
        port snap yarn yum zypper
    """,
    "system": """
        alias blkid date defaults diskutil dmesg env export fdisk free groups history hostname
        hostnamectl id lsblk lscpu lspci lsusb mkfs mount parted passwd printenv reboot
        shutdown su sudo sw_vers swapon sysctl timedatectl umount uname uptime useradd userdel
        usermod whereis which whoami
    """,
}
CATEGORIES: dict[str, set[str]] = {k: set(v.split()) for k, v in _CATEGORY_WORDS.items()}
_BY_COMMAND = {cmd: cat for cat, cmds in CATEGORIES.items() for cmd in cmds}

LINUX_CONTEXTS = [
    PlatformContext("linux", "Debian GNU/Linux 12", "x86_64", "bash", "5.2", "gnu", "/"),
    PlatformContext("linux", "Ubuntu 24.04 LTS", "x86_64", "bash", "5.2", "gnu", "/"),
    PlatformContext("linux", "Fedora Linux 41", "x86_64", "zsh", "5.9", "gnu", "/"),
    PlatformContext("linux", "Arch Linux", "x86_64", "bash", "5.2", "gnu", "/"),
    PlatformContext("linux", "Ubuntu 22.04 LTS", "arm64", "fish", "3.7", "gnu", "/"),
]
MAC_CONTEXTS = [
    PlatformContext("darwin", "macOS 15.1", "arm64", "zsh", "5.9", "bsd", "/"),
    PlatformContext("darwin", "macOS 14.6", "x86_64", "bash", "3.2", "bsd", "/"),
]


def category_of(name: str) -> str:
    return _BY_COMMAND.get(name.split()[0].lower(), "other")


def mention(kind: str, value: str, rng: random.Random) -> str:
    """How a person would name one filled-in value in a request."""
    pick = rng.choice
    if kind == "dir":
        return pick(["in {v}", "under {v}", "in the {v} directory", "inside {v}"]).format(v=value)
    if kind == "file":
        return pick(["{v}", "file {v}", "{v}"]).format(v=value)
    if kind in {"paths", "items", "number", "literal"}:
        return value
    if kind == "glob":
        return pick(["matching {v}", "named {v}"]).format(v=value)
    words = re.sub(r"[_\-]+", " ", kind).strip()
    words = re.sub(r"\b(name|id)$", "", words).strip() or words
    return f"{words} {value}"


def name_the_tool(request: str, tool: str, rng: random.Random) -> str:
    """Name the tool when the request does not.

    tldr's descriptions are written under the page's title ("Display help" on the zeroclaw
    page); typed into caro without that context, such a request names no tool, and no model
    can know which of thousands was meant. A person asking for a specific tool says so.
    """
    first = tool.split()[0].lower()
    if re.search(rf"(?<![\w-]){re.escape(first)}(?![\w-])", request.lower()):
        return request
    lower = request[:1].lower() + request[1:]
    template = rng.choice(["{R} with {t}", "{R} using {t}", "{t}: {r}", "use {t} to {r}"])
    return template.format(R=request, r=lower, t=tool)


TYPO_RE = re.compile(r"\b[a-z]{5,}\b")


def add_typo(text: str, protected: set[str], rng: random.Random) -> str:
    words = [m for m in TYPO_RE.finditer(text) if m.group(0) not in protected]
    if not words:
        return text
    m = rng.choice(words)
    w = m.group(0)
    i = rng.randrange(1, len(w) - 2)
    swapped = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    typo = swapped if rng.random() < 0.5 else w[:i] + w[i + 1 :]  # swap or drop letters
    return text[: m.start()] + typo + text[m.end() :]


def phrase(base: str, values: set[str], style: str, rng: random.Random) -> str:
    """One way of typing the request."""
    lower = base[:1].lower() + base[1:]
    if style == "plain":
        return base
    if style == "terse":
        return re.sub(r"\b(the|a|an|all|given|specific|specified)\s+", "", lower, flags=re.I)
    if style == "howto":
        return rng.choice(["how do I {r}?", "how do i {r}", "how to {r}", "How can I {r}?"]).format(
            r=lower
        )
    if style == "polite":
        return rng.choice(["please {r}", "can you {r}?", "I need to {r}", "i want to {r}"]).format(
            r=lower
        )
    if style == "question":
        return rng.choice(
            ["what's the command to {r}?", "command to {r}", "which command will {r}?"]
        ).format(r=lower)
    if style == "typo":
        return add_typo(lower, values, rng)
    raise ValueError(style)


STYLES = ["plain", "plain", "terse", "howto", "polite", "question", "typo"]


def context_for(page: Page, rng: random.Random) -> tuple[str | None, str]:
    if page.platform == "osx" or (page.platform == "common" and rng.random() < 0.15):
        return rng.choice(MAC_CONTEXTS).describe(), "macos"
    if rng.random() < 0.05:
        return None, "linux"
    return rng.choice(LINUX_CONTEXTS).describe(), "linux"


def make_record(
    request: str,
    command: str,
    context: str | None,
    **meta: object,
) -> dict[str, object]:
    """One example; its prompt is rendered later, once its examples are chosen (show_examples)."""
    return {
        "completion": render_target(command),
        "request": request,
        "command": command,
        "context": context,
        **meta,
    }


def tldr_records(pages: list[Page], variants_core: int, seed: int) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for page in pages:
        if page.is_alias or not page.examples:
            continue
        category = category_of(page.name)
        split = split_of(page.name)
        n_variants = variants_core if category != "other" and split == "train" else 1
        for idx, ex in enumerate(page.examples):
            if ex.command.startswith("tldr "):
                continue
            rng = random.Random(f"{seed}:{page.platform}:{page.name}:{idx}")
            desc = clean_description(ex.description)
            for v in range(n_variants):
                filled = fill_command(ex.command, rng)
                mentions = [mention(k, val, rng) for k, val in filled.mentions]
                base = name_the_tool(
                    desc + (" " + " ".join(mentions) if mentions else ""), page.name, rng
                )
                values = {val for _, val in filled.mentions}
                style = "plain" if v == 0 and split != "train" else rng.choice(STYLES)
                context, platform = context_for(page, rng)
                records.append(
                    make_record(
                        phrase(base, values, style, rng),
                        filled.command,
                        context,
                        alternatives=filled.alternatives,
                        page=f"{page.platform}/{page.name}",
                        tldr_command=ex.command,
                        platform=platform,
                        category=category,
                        source="tldr",
                        style=style,
                        split=split,
                    )
                )
    return records


def own_split(topic: str, everyday: bool) -> str:
    """The split of one of our own topics.

    The first list keeps the split it was trained under. The everyday list holds a quarter of
    its topics out, so the test has enough everyday requests to measure what users ask for;
    its split key differs from the first list's, so no trained topic moves into test.
    """
    if everyday:
        return split_of(f"caro-everyday/{topic}", dev_pct=5, test_pct=25)
    return split_of(f"caro/{topic}")


def own_topics() -> list[tuple[Topic, bool]]:
    """Our topics, each with whether it is an everyday one (those hold out a quarter)."""
    topics = [(t, False) for t in load_topics(OWN_FILE)]
    for path in everyday_files():
        topics += [(t, True) for t in load_topics(path)]
    return topics


def own_records(seed: int) -> list[dict[str, object]]:
    """Examples the project writes itself: everyday phrasings tldr lacks."""
    records: list[dict[str, object]] = []
    for idx, (topic, everyday) in enumerate(own_topics()):
        split = own_split(topic.topic, everyday)
        rng = random.Random(f"{seed}:own:{idx}")
        for request in topic.requests:
            context = rng.choice(LINUX_CONTEXTS).describe()
            records.append(
                make_record(
                    request,
                    topic.command,
                    context,
                    alternatives=list(topic.alternatives),
                    page=f"caro/{topic.topic}",
                    platform="linux",
                    category=topic.category,
                    source="caro",
                    style="own",
                    split=split,
                    checked=topic.checked,
                )
            )
    return records


def show_examples(
    by_split: dict[str, list[dict[str, object]]], chooser: ExampleChooser | None
) -> None:
    """Choose each record's retrieved examples (scripts/_shown_examples.py) and render its
    prompt with them, as backends/embedded/functiongemma.py renders the product's. Without a chooser
    (--k 0) no prompt shows examples."""
    done = 0
    total = sum(len(recs) for recs in by_split.values())
    for split, recs in by_split.items():
        for i, rec in enumerate(recs):
            done += 1
            if done % 2000 == 0 or done == total:
                print(f"retrieved {done}/{total}", file=sys.stderr, flush=True)
            command = str(rec["command"])
            tldr = rec["source"] == "tldr"
            if chooser is None:
                shown = Shown((), "none")
            else:
                shown = chooser.choose(
                    f"{split}:{i}:{rec['page']}:{rec['request']}",
                    str(rec["request"]),
                    str(rec["platform"]),
                    tool_of(command) or "",
                    train=split == "train",
                    page=str(rec["page"]).split("/", 1)[1] if tldr else None,
                    source_command=str(rec["tldr_command"]) if tldr else None,
                )
            rec["examples"] = [[ex.page, ex.description, ex.command] for ex in shown.examples]
            rec["shown"] = shown.how
            context = rec["context"]
            rec["prompt"] = render_prompt(
                str(rec["request"]), None if context is None else str(context), shown.examples
            )


def add_token_ids(by_split: dict[str, list[dict[str, object]]], gguf: Path) -> None:
    """Token ids from llama.cpp's own tokenizer, the one that runs at inference.

    transformers' GGUF tokenizer conversion splits Gemma 3 text into near-character pieces
    (a 172-token prompt becomes 310 tokens), so training on its ids would teach the model a
    tokenization it never sees in llama.cpp. The prompt gets BOS, as create_completion adds
    it; prompt and completion are tokenized apart, as the prompt is at inference.
    """
    from llama_cpp import Llama

    vocab = Llama(str(gguf), vocab_only=True, verbose=False)
    cache: dict[str, list[int]] = {}
    total = sum(len(recs) for recs in by_split.values())
    done = 0
    for recs in by_split.values():
        for rec in recs:
            done += 1
            if done % 5000 == 0 or done == total:
                print(f"tokenized {done}/{total}", file=sys.stderr, flush=True)
            prompt = str(rec["prompt"])
            if prompt not in cache:
                cache[prompt] = vocab.tokenize(prompt.encode(), add_bos=True, special=True)
            rec["prompt_ids"] = cache[prompt]
            rec["completion_ids"] = vocab.tokenize(
                str(rec["completion"]).encode(), add_bos=False, special=True
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=REPO.parent / "shared" / "tldr-pages")
    parser.add_argument("--out", type=Path, default=REPO / "runs" / "data")
    parser.add_argument("--max-train", type=int, default=20000)
    parser.add_argument("--variants-core", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--own-repeat",
        type=int,
        default=5,
        help="times each of our own training examples appears (they are few, and what users type)",
    )
    parser.add_argument(
        "--k",
        type=int,
        default=None,
        help="examples shown (default: the product's [retrieval] k; 0: none)",
    )
    parser.add_argument(
        "--tokenize-with",
        type=Path,
        default=REPO / "runs" / "base" / "gemma3-270m-q4_k_m.gguf",
        help="base GGUF whose llama.cpp tokenizer pre-tokenizes the examples ('' to skip)",
    )
    args = parser.parse_args(argv)

    pages_root = args.pages / "pages" if (args.pages / "pages").is_dir() else args.pages
    if not (pages_root / "common").is_dir():
        parser.error(f"no tldr pages under {pages_root} (expected common/, linux/, osx/)")
    pages = read_pages(pages_root)
    records = tldr_records(pages, args.variants_core, args.seed) + own_records(args.seed)

    by_split: dict[str, list[dict[str, object]]] = {"train": [], "dev": [], "test": []}
    for rec in records:
        by_split[str(rec["split"])].append(rec)
    rng = random.Random(args.seed)
    train = by_split["train"]
    own_train = [r for r in train if r["source"] == "caro"]
    rest = [r for r in train if r["source"] != "caro"]
    # Keep every own example and every core-category example; sample the long tail.
    core = [r for r in rest if r["category"] != "other"]
    tail = [r for r in rest if r["category"] == "other"]
    # Copies, so that each repeat gets its own choice of examples.
    own_train = [dict(r) for r in own_train for _ in range(max(1, args.own_repeat))]
    room = max(0, args.max_train - len(own_train) - len(core))
    rng.shuffle(tail)
    train = own_train + core + tail[:room]
    rng.shuffle(train)
    by_split["train"] = train[: args.max_train]
    for name in ("dev", "test"):
        rng.shuffle(by_split[name])

    chooser = None if args.k == 0 else ExampleChooser(k=args.k, seed=args.seed)
    show_examples(by_split, chooser)
    if str(args.tokenize_with) not in {"", "."}:
        if not args.tokenize_with.exists():
            parser.error(f"{args.tokenize_with} not found (assemble the base model first)")
        add_token_ids(by_split, args.tokenize_with)

    args.out.mkdir(parents=True, exist_ok=True)
    stats: dict[str, object] = {
        "pages_read": len(pages),
        "alias_pages_dropped": sum(p.is_alias for p in pages),
        "source": "tldr-pages (CC BY 4.0, the tldr-pages team and contributors)",
    }
    for name, recs in by_split.items():
        with (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as fh:
            for rec in recs:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        stats[name] = {
            "examples": len(recs),
            "pages": len({r["page"] for r in recs}),
            "by_category": dict(Counter(str(r["category"]) for r in recs).most_common()),
            "by_platform": dict(Counter(str(r["platform"]) for r in recs).most_common()),
            "by_source": dict(Counter(str(r["source"]) for r in recs).most_common()),
            "by_shown": dict(Counter(str(r["shown"]) for r in recs).most_common()),
            "with_examples": sum(bool(r["examples"]) for r in recs),
        }
    pages_per_split = {n: {r["page"] for r in recs} for n, recs in by_split.items()}
    assert not pages_per_split["train"] & pages_per_split["test"], "a page leaked into test"
    assert not pages_per_split["train"] & pages_per_split["dev"], "a page leaked into dev"
    (args.out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v["examples"] for k, v in stats.items() if isinstance(v, dict)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
