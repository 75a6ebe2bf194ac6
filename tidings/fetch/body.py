"""Read a response body with a hard cap on the DECODED bytes.

httpx would decompress a gzip or brotli body for us, but one network chunk of a
decompression bomb can inflate to hundreds of megabytes in one call. So the body
is read raw and decoded here with decompressors whose output per call is bounded
(``zlib``'s ``max_length``, brotli's ``output_buffer_limit``); the count is
checked after every bounded piece, so a bomb or an endless body is refused after
at most ``max_bytes`` plus one piece has been produced, never buffered whole.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Protocol

import brotli

from tidings.fetch.errors import FetchError

PIECE = 64 * 1024  # most bytes one decompressor call may produce
ACCEPT_ENCODING = "gzip, deflate, br"


class Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...
    def flush(self) -> Iterator[bytes]: ...


class IdentityDecoder:
    def feed(self, data: bytes) -> Iterator[bytes]:
        for start in range(0, len(data), PIECE):
            yield data[start:start + PIECE]

    def flush(self) -> Iterator[bytes]:
        return iter(())


class ZlibDecoder:
    """gzip (possibly several members) or deflate (zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, gzip: bool) -> None:
        self.gzip = gzip
        self._wbits = zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(self._wbits)
        self._head = b""  # deflate: the first bytes, held until the zlib header can be recognised
        self._sniffed = gzip

    def _sniff(self, data: bytes) -> bytes:
        """For deflate, choose zlib-wrapped or raw from the first two bytes (RFC 1950 header check)."""
        self._head += data
        if len(self._head) < 2:
            return b""
        first, second = self._head[0], self._head[1]
        if not (first & 0x0F == 8 and ((first << 8) | second) % 31 == 0):
            self._wbits = -zlib.MAX_WBITS
            self._obj = zlib.decompressobj(self._wbits)
        self._sniffed = True
        data, self._head = self._head, b""
        return data

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not self._sniffed:
            data = self._sniff(data)
        while data:
            out = self._obj.decompress(data, PIECE)
            if out:
                yield out
            if self._obj.unconsumed_tail:
                data = self._obj.unconsumed_tail
            elif self._obj.eof and self._obj.unused_data and self.gzip:
                data = self._obj.unused_data  # the next gzip member
                self._obj = zlib.decompressobj(self._wbits)
            else:
                data = b""

    def flush(self) -> Iterator[bytes]:
        if not self._sniffed and self._head:
            yield from self.feed(b"")
        out = self._obj.flush(PIECE)
        if out:
            yield out


class BrotliDecoder:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        out = self._obj.process(data, output_buffer_limit=PIECE)
        if out:
            yield out
        while not self._obj.can_accept_more_data():
            out = self._obj.process(b"", output_buffer_limit=PIECE)
            if not out:
                break
            yield out

    def flush(self) -> Iterator[bytes]:
        return iter(())


class ChainDecoder:
    """Decoders applied one after another (``Content-Encoding: gzip, br`` is undone br first)."""

    def __init__(self, decoders: list[Decoder]) -> None:
        self.decoders = decoders

    def _through(self, pieces: Iterator[bytes], index: int) -> Iterator[bytes]:
        if index == len(self.decoders):
            yield from pieces
            return
        decoder = self.decoders[index]
        for piece in pieces:
            yield from self._through(decoder.feed(piece), index + 1)

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(iter([data]), 0)

    def flush(self) -> Iterator[bytes]:
        for index, decoder in enumerate(self.decoders):
            yield from self._through(decoder.flush(), index + 1)


def decoder_for(content_encoding: str | None, url: str) -> Decoder:
    """The decoder for a Content-Encoding header value; unknown codings raise ``decode``."""
    names = [part.strip().lower() for part in (content_encoding or "").split(",") if part.strip()]
    decoders: list[Decoder] = []
    for name in reversed(names):
        if name in {"identity", "none"}:
            continue
        if name in {"gzip", "x-gzip"}:
            decoders.append(ZlibDecoder(gzip=True))
        elif name == "deflate":
            decoders.append(ZlibDecoder(gzip=False))
        elif name == "br":
            decoders.append(BrotliDecoder())
        else:
            raise FetchError("decode", url, f"unsupported Content-Encoding {name!r}")
    if not decoders:
        return IdentityDecoder()
    return decoders[0] if len(decoders) == 1 else ChainDecoder(decoders)


async def read_capped(
    raw_chunks: AsyncIterator[bytes],
    *,
    url: str,
    max_bytes: int,
    content_encoding: str | None = None,
    content_length: str | None = None,
    truncate: bool = False,
) -> tuple[bytes, bool]:
    """Read and decode a body of at most ``max_bytes`` decoded bytes.

    Returns ``(body, truncated)``. Over the cap it raises ``FetchError("too_large")``,
    or with ``truncate=True`` returns the first ``max_bytes`` bytes (robots.txt is
    read that way). A Content-Length over the cap is refused before reading."""
    decoder = decoder_for(content_encoding, url)
    if content_length and not truncate and isinstance(decoder, IdentityDecoder):
        try:
            announced = int(content_length)
        except ValueError:
            announced = -1
        if announced > max_bytes:
            raise FetchError("too_large", url, f"Content-Length {announced} is over the limit of {max_bytes} bytes")
    raw_limit = max_bytes + max_bytes // 8 + PIECE  # compressed data that yields nothing must end too
    parts: list[bytes] = []
    total = raw_total = 0

    def take(pieces: Iterator[bytes]) -> bool:
        nonlocal total
        for piece in pieces:
            total += len(piece)
            if total > max_bytes:
                if truncate:
                    parts.append(piece[: len(piece) - (total - max_bytes)])
                    return True
                raise FetchError("too_large", url, f"body is over the limit of {max_bytes} bytes (decoded)")
            parts.append(piece)
        return False

    try:
        async for chunk in raw_chunks:
            raw_total += len(chunk)
            if raw_total > raw_limit:
                if truncate:
                    return b"".join(parts), True
                raise FetchError("too_large", url, f"body is over the limit of {max_bytes} bytes (as sent)")
            if take(decoder.feed(chunk)):
                return b"".join(parts), True
        if take(decoder.flush()):
            return b"".join(parts), True
    except (zlib.error, brotli.error) as exc:
        raise FetchError("decode", url, f"corrupt {content_encoding} body: {exc}") from None
    return b"".join(parts), False
