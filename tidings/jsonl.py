"""JSON Lines plumbing shared by the stage commands (``tidings cluster``, ``tags`` ...).

Each stage command reads one JSON object per line on stdin and writes one per line
on stdout, in input order. A line that cannot be handled is answered with
``{"id": ..., "error": "..."}`` (``"line"`` gives its 1-based number) and the run
goes on; the command exits with status 1 if any line failed, 0 otherwise.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

Record = dict[str, Any]


class LineError(ValueError):
    """Raised by a stage for one input line; the message is reported for that line."""


def read_records(stream: TextIO) -> Iterator[tuple[int, Record | Exception]]:
    """Yield ``(line_number, record)``; a line that is not a JSON object yields its error."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        text = line.rstrip("\r\n")
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, LineError(json_error(text, exc))
            continue
        if not isinstance(value, dict):
            yield number, LineError("each line must be a JSON object")
            continue
        yield number, value


def json_error(text: str, exc: json.JSONDecodeError) -> str:
    """What is wrong with one line, at the column (1-based, in characters) where it goes wrong."""
    if exc.pos >= len(text.rstrip()):
        return f"not valid JSON: the line ends (column {len(text.rstrip())}) before the JSON value does; cut short?"
    if exc.msg.startswith("Unterminated string"):
        return f"not valid JSON: a string opened at column {exc.pos + 1} never closes; the line was cut short?"
    where = "starting " if exc.msg.endswith("starting at") else ""
    message = exc.msg[: -len(" starting at")] if where else exc.msg
    return f"not valid JSON: {message} {where}at column {exc.pos + 1}"


def write_record(stream: TextIO, record: Record) -> None:
    stream.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def error_record(number: int, record: Record | None, exc: Exception) -> Record:
    out: Record = {"line": number, "error": str(exc) or exc.__class__.__name__}
    if isinstance(record, dict) and "id" in record:
        out = {"id": record["id"], **out}
    return out


def run_lines(
    handle: Callable[[Record], Record],
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Apply ``handle`` to each input record; returns the number of failed lines."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    failures = 0
    for number, record in read_records(stdin):
        if isinstance(record, Exception):
            write_record(stdout, error_record(number, None, record))
            failures += 1
            continue
        try:
            result = handle(record)
        except Exception as exc:  # one bad line never stops the stage
            write_record(stdout, error_record(number, record, exc))
            failures += 1
            continue
        write_record(stdout, result)
    stdout.flush()
    return failures


class Followed(list):
    """A line's answer followed by further lines a stage reports at that point (for example
    ``tidings cluster``'s ``{"merged": ..., "into": ...}`` notices): ``Followed([answer, *more])``."""


def run_batches(
    handle_batch: Callable[[list[Record]], Iterable[Record | Exception | Followed]],
    batch_size: int = 64,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    finish: Callable[[], Iterable[Record]] | None = None,
) -> int:
    """Like :func:`run_lines`, but hands records over in batches (for models that
    embed many texts at once). ``handle_batch`` returns one result or one exception
    per record, in order; a result may be a :class:`Followed` list, written line by line.
    ``finish``, when given, is called after the last line and its records are written
    last. Returns the number of failed lines."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    failures = 0
    pending: list[tuple[int, Record | Exception]] = []

    def flush() -> None:
        nonlocal failures
        good = [(n, r) for n, r in pending if not isinstance(r, Exception)]
        try:
            results = list(handle_batch([r for _, r in good])) if good else []
            if len(results) != len(good):
                raise RuntimeError(f"stage returned {len(results)} results for {len(good)} records")
        except Exception as exc:  # the whole batch failed: report it on each of its lines
            results = [exc] * len(good)
        by_line = {n: res for (n, _), res in zip(good, results, strict=True)}
        for number, record in pending:
            if isinstance(record, Exception):
                write_record(stdout, error_record(number, None, record))
                failures += 1
                continue
            result = by_line[number]
            if isinstance(result, Exception):
                write_record(stdout, error_record(number, record, result))
                failures += 1
            elif isinstance(result, Followed):
                for item in result:
                    write_record(stdout, item)
            else:
                write_record(stdout, result)
        stdout.flush()
        pending.clear()

    for item in read_records(stdin):
        pending.append(item)
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()
    if finish is not None:
        for last in finish():
            write_record(stdout, last)
        stdout.flush()
    return failures
