"""On a phone (390 px) the connection list and the history show each row as a card: every
cell names its column (data-label), and the stylesheet stacks "stack" tables below 640 px."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse

from connections.models import ConnectionEvent
from tests.connections.helpers import url


def _labels_match_headers(page: str) -> None:
    table = page.split('<table class="stack">', 1)[1].split("</table>", 1)[0]
    headers = [re.sub(r"<[^>]+>", "", th) for th in re.findall(r"<th[^>]*>(.*?)</th>", table)]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.DOTALL)
    assert rows
    for row in rows:
        assert re.findall(r'<td[^>]* data-label="([^"]+)"', row) == headers


def test_the_connection_list_labels_every_cell(alice_client, connection, draft):
    _labels_match_headers(
        alice_client.get(f"/teams/{connection.team.slug}/connections/").content.decode()
    )


def test_the_history_labels_who_and_details(alice_client, connection, alice):
    connection.record(ConnectionEvent.Kind.UPDATED, "Settings updated.", alice)
    connection.record(ConnectionEvent.Kind.REFRESHED, "Token refreshed (generation 2).")
    _labels_match_headers(alice_client.get(url("detail", connection)).content.decode())


def test_the_stylesheet_stacks_those_tables_on_narrow_screens():
    css = Path(finders.find("css/app.css")).read_text()
    narrow = css.split("@media (max-width:640px) {\n  table.stack", 1)[1]
    assert "td::before { content:attr(data-label)" in narrow
    assert "display:block" in narrow


def test_the_members_page_labels_every_cell(alice_client, team, bob):
    alice_client.post(
        reverse("accounts:invite", args=[team.slug]), {"email": "dave@example.com", "role": "admin"}
    )
    page = alice_client.get(reverse("accounts:members", args=[team.slug])).content.decode()
    tables = page.split('<table class="stack">')[1:]
    assert len(tables) == 2
    for table in tables:
        _labels_match_headers('<table class="stack">' + table)
