"""The README's API section names every problem code the API can answer."""

from pathlib import Path

from django.urls import reverse

from api import problems

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_code(db):
    reverse("api:proxy", kwargs={"id": "x", "path": "data/"})  # the URLconf imports them all
    text = README.read_text()
    section = text.split("## Use a connection from your software", 1)[1].split("\n## ", 1)[0]
    missing = [
        entry["code"] for entry in problems.catalogue() if f"| `{entry['code']}` |" not in section
    ]
    assert not missing
