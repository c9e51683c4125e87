"""Which code and data an index (or a cached extract) was made by, computed from the imports.

A cached extract or a saved index is only reused when making it again would give
the same result; so its key covers every project module the stage imports,
directly or through others, and every shipped data file. The module set is found
by reading the `import` statements (no module is imported to find it), so a new
helper module is covered the day it is imported, without a list to keep.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = PACKAGE_ROOT / "kg" / "data"
PROJECT_PACKAGES = ("kg", "ingest")
EXTRACTION_ENTRY = ("ingest.extract", "ingest.read")
"""The per-file stage: decoding a note's bytes and extracting its facts."""
BUILD_ENTRY = ("ingest.build",)
"""A whole build: the per-file stage, merging, linking, postings and saving."""


def files_fingerprint(paths: Iterable[Path], salt: str = "") -> str:
    """A short digest of the names and bytes of `paths`: it changes when any of them does."""
    digest = hashlib.sha256(salt.encode())
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + source_bytes(path))
    return digest.hexdigest()[:16]


def source_bytes(path: Path) -> bytes:
    """The bytes of a module or data file (one place to read them, so a test can alter one)."""
    return path.read_bytes()


def module_path(module: str, root: Path = PACKAGE_ROOT) -> Path | None:
    """The file of project module `module`, or None for a module outside the project.

    Examples
    --------
    >>> module_path("kg.store").name
    'store.py'
    >>> module_path("numpy") is None
    True
    """
    if module.split(".")[0] not in PROJECT_PACKAGES:
        return None
    base = root.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imported_modules(path: Path, module: str) -> set[str]:
    """Names of the modules `path` (module `module`) imports anywhere in its body, lazily or not.

    Both `import a.b` and `from a import b` count, the latter as `a` and `a.b` (`b` may be
    a module); relative imports are resolved against `module`'s package.
    """
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source_bytes(path), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def module_closure(entry: Iterable[str], root: Path = PACKAGE_ROOT) -> list[Path]:
    """Files of the project modules `entry` imports, transitively, with their packages'
    `__init__` files (importing `a.b` runs `a/__init__.py`), the entry modules included."""
    seen: dict[str, Path] = {}
    todo = list(entry)
    while todo:
        module = todo.pop()
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):
            name = ".".join(parts[:depth])
            path = module_path(name, root)
            if name in seen or path is None:
                continue
            seen[name] = path
            todo.extend(imported_modules(path, name))
    return sorted(set(seen.values()))


def code_fingerprint(modules: Iterable[Path], salt: str = "") -> str:
    """Changes whenever one of `modules`, or a shipped data file (one added included), does."""
    return files_fingerprint([*modules, *DATA_FILES.iterdir()], salt=salt)


@functools.lru_cache(maxsize=None)
def _closure_fingerprint(entry: tuple[str, ...], salt: str) -> str:
    return code_fingerprint(module_closure(entry), salt)


@functools.lru_cache(maxsize=1)
def index_code() -> dict:
    """The modules that build an index (relative paths) and their fingerprint, as a manifest keeps
    them: a reader re-hashes just these files to tell whether the index was made by other code,
    without parsing any (a new import changes the importing file, so it is noticed too)."""
    modules = module_closure(BUILD_ENTRY)
    return {"code_files": [p.relative_to(PACKAGE_ROOT).as_posix() for p in modules],
            "pipeline": code_fingerprint(modules)}


def made_by_other_code(manifest: dict) -> bool:
    """Whether the code or data an index was built by differ from this installation's."""
    names = manifest.get("code_files")
    if not isinstance(names, list) or not names:
        return True
    modules = [PACKAGE_ROOT / name for name in names]
    if not all(path.is_file() for path in modules):
        return True
    return code_fingerprint(modules) != manifest.get("pipeline")


def extraction_fingerprint(version: str = "") -> str:
    """The code and data of the per-file stage: a cached extract made by other code is redone."""
    return _closure_fingerprint(EXTRACTION_ENTRY, version)
