"""Where things go (issue 17, surprise 6): --config after the subcommand, no ./tidings.db made where
there is no tidings.toml, no folders made for a SQLite URL, and `db current` creates nothing."""

import os

from click.testing import CliRunner

from tidings.cli import cli, hoist_config


def test_config_may_follow_the_subcommand(tmp_path):
    cfg = tmp_path / "x.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "x.db"}"\n')
    for args in (["sources", "list", "--config", str(cfg)], ["sources", "list", f"--config={cfg}"],
                 ["--config", str(cfg), "sources", "list"]):
        result = CliRunner().invoke(cli, args, env={"TIDINGS_CONFIG": ""})
        assert result.exit_code == 0, (args, result.output)
    assert (tmp_path / "x.db").exists()
    assert hoist_config(["tags", "--", "--config", "x"]) == ["tags", "--", "--config", "x"]


def test_no_config_here_is_a_clear_message_not_a_new_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"TIDINGS_CONFIG": "", "TIDINGS_DATABASE_URL": ""}
    for args in (["sources", "list"], ["doctor"], ["users", "list"], ["db", "current"], ["edition", "list"]):
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code != 0 and "no tidings.toml here" in result.output and "tidings init" in result.output
    assert os.listdir(tmp_path) == []
    # the environment may still name a database on purpose
    url = f"sqlite:///{tmp_path / 'chosen.db'}"
    result = CliRunner().invoke(cli, ["sources", "list"], env={"TIDINGS_CONFIG": "", "TIDINGS_DATABASE_URL": url})
    assert result.exit_code == 0, result.output


def test_a_sqlite_url_in_a_missing_folder_is_refused_not_created(tmp_path):
    cfg = tmp_path / "tidings.toml"
    cfg.write_text('[database]\nurl = "sqlite:////nonexistent/dir/t.db"\n')
    result = CliRunner().invoke(cli, ["--config", str(cfg), "sources", "list"])
    assert result.exit_code != 0 and "folder of the database does not exist: /nonexistent/dir" in result.output
    assert not os.path.exists("/nonexistent")


def test_db_current_creates_no_database(tmp_path):
    cfg = tmp_path / "tidings.toml"
    cfg.write_text('[database]\nurl = "sqlite:///t.db"\n')
    result = CliRunner().invoke(cli, ["--config", str(cfg), "db", "current"])
    assert result.exit_code == 0 and "database: none yet" in result.output, result.output
    assert not (tmp_path / "t.db").exists()


def test_the_quick_head_revision_is_alembics():
    from tidings.store import db, revisions

    assert revisions.head_revision() == db.head_revision()
