"""Every stage command's --help names its input and output fields and shows one example;
every --json option says what it prints; `check` reads what `summarize` writes; a cut-short
line is reported at the right column."""

import io
import json

import pytest
from click.testing import CliRunner

from tidings.cli import COMMANDS, cli
from tidings.cli.check import check_record
from tidings.jsonl import run_lines

STAGES = ["cluster", "similarity", "classify", "tags", "summarize", "check", "extract", "fetch"]


@pytest.mark.parametrize("name", STAGES)
def test_stage_help_shows_fields_and_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    example = result.output.split("Example", 1)[-1]
    assert "Output" in result.output and "$ " in example and f"tidings {name}" in example


def _options(command, path=()):
    import click

    for param in command.params:
        yield path, param
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _options(sub, path + (sub.name,))


def test_every_json_option_has_help():
    import importlib

    for name, (target, _) in COMMANDS.items():
        module, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module), attr)
        for path, param in _options(command, (name,)):
            if "--json" in getattr(param, "opts", []):
                assert param.help, f"tidings {' '.join(path)} --json has no help"


def test_help_lists_commands_without_importing_them():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, (_, help_) in COMMANDS.items():
        assert name in result.output and help_[:20] in result.output


SUMMARIZE_OUTPUT = {"id": "story-1", "headline": "Halvard Compute breaks ground on Aragon data centre", "lead": "",
                    "sentences": [{"text": "Halvard Compute began building a data centre campus in Aragon on Monday.",
                                   "cites": ["1"]}], "language": "en", "languages": ["en"]}
STORY = {"id": "story-1", "articles": [{"id": "1", "title": "Halvard breaks ground",
                                        "text": "Halvard Compute began building a data centre campus in Aragon on Monday."}]}


@pytest.mark.parametrize("record", [
    {**STORY, **SUMMARIZE_OUTPUT},  # a story line merged with its summary line (jq -s '.[0] + .[1]')
    {"id": "story-1", "sources": STORY["articles"], "summary": SUMMARIZE_OUTPUT},
    {"id": "story-1", "sources": STORY["articles"], "summary": SUMMARIZE_OUTPUT["sentences"]},
])
def test_check_accepts_what_summarize_writes(record):
    verdict = check_record(record)
    assert verdict["supported"] is True and len(verdict["sentences"]) == 1


def test_check_refuses_a_summary_it_cannot_read_with_every_form_named():
    out = io.StringIO()
    run_lines(check_record, io.StringIO(json.dumps({"id": "x", "sources": ["a"], "summary": [3]}) + "\n"), out)
    assert "tidings summarize" in json.loads(out.getvalue())["error"]


@pytest.mark.parametrize("line, message", [
    ('{"id": "1", ', "the line ends (column 11) before the JSON value does"),
    ('{"id": "1", "title": "Halv', "a string opened at column 22 never closes"),
    ('{"id": 1 "x": 2}', "Expecting ',' delimiter at column 10"),
])
def test_a_bad_line_is_reported_at_its_column(line, message):
    out = io.StringIO()
    run_lines(lambda r: r, io.StringIO(line + "\n"), out)
    assert message in json.loads(out.getvalue())["error"]
