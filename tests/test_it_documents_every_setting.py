"""Every environment variable the settings read is documented once in .env.example and once in
the README's configuration table."""

import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[1]
# env("NAME"), env.bool("NAME", ...), and the key helpers' names.
READ = re.compile(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"|development_key\(env, "([A-Z_]+)"')


def _variables() -> set[str]:
    names = set()
    for path in (BASE_DIR / "config" / "settings").glob("*.py"):
        for match in READ.finditer(path.read_text()):
            names.add(match.group(1) or match.group(2))
    return names | {"CRYPTOGRAPHY_OLD_KEYS", "SECRET_KEY_FALLBACKS"}


def _readme_table_rows() -> list[str]:
    text = (BASE_DIR / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `")]


@pytest.mark.parametrize("name", sorted(_variables()))
def test_it_documents_the_variable_in_env_example(name):
    text = (BASE_DIR / ".env.example").read_text()
    assert len(re.findall(rf"^(# )?{name}=", text, re.MULTILINE)) == 1


@pytest.mark.parametrize("name", sorted(_variables()))
def test_it_lists_the_variable_once_in_the_readme(name):
    first_cells = [row.split("|")[1] for row in _readme_table_rows()]
    assert sum(f"`{name}`" in cell for cell in first_cells) == 1


def test_it_reads_an_empty_var_dir_as_the_default(monkeypatch):
    import environ

    monkeypatch.setenv("VAR_DIR", "")
    env = environ.Env()
    assert Path(env("VAR_DIR", default="") or BASE_DIR / "var") == BASE_DIR / "var"
