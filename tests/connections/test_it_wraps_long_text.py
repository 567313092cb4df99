"""Long names wrap instead of widening the page, and prose in a facts list breaks between
words (only code values break anywhere)."""

import re

from django.contrib.staticfiles import finders

from tests.connections.helpers import url


def declarations(selector: str) -> dict[str, str]:
    """The declarations of the app.css rules whose selector list includes ``selector``."""
    with open(finders.find("css/app.css")) as css:
        text = re.sub(r"/\*.*?\*/", "", css.read(), flags=re.DOTALL)
    found: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        if selector in (s.strip() for s in selectors.split(",")):
            for declaration in body.split(";"):
                if ":" in declaration:
                    name, value = declaration.split(":", 1)
                    found[name.strip()] = value.strip()
    return found


def test_it_wraps_a_long_name_in_the_list(alice_client, connection_factory, team):
    name = "A" * 100
    connection_factory(name=name)
    page = alice_client.get(f"/teams/{team.slug}/connections/").content.decode()
    assert re.search(rf'<td class="name" data-label="Name"><a href="[^"]+">{name}</a></td>', page)
    assert declarations("td.name")["overflow-wrap"] == "anywhere"


def test_it_breaks_prose_in_facts_between_words(alice_client, connection):
    assert "word-break" not in declarations("dl.facts dd")
    assert declarations("code.value")["word-break"] == "break-all"
    page = alice_client.get(url("detail", connection)).content.decode()
    assert '<code class="value">' in page  # the consumer key still breaks anywhere
