"""A form shown again with errors starts with a summary of them (each linked to its field),
which static/js/forms.js focuses; the missing outbound IP is a notice, not an error."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _form(page: str) -> str:
    return page.split('<form method="post" novalidate>', 1)[1].split("</form>", 1)[0]


def test_step_1_starts_with_a_summary_linked_to_the_field(alice_client, team):
    response = alice_client.post(
        reverse("connections:new", args=[team.slug]),
        {
            "name": "Acme",
            "environment": "my_domain",
            "my_domain_url": "https://acme.lightning.force.com",
        },
    )
    assert response.status_code == 400
    form = _form(response.content.decode())
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1"[^>]*>', form)
    assert summary, form
    assert form.index("error-summary") < form.index('class="field"')
    assert '<h2 id="form-errors-title">There is a problem</h2>' in form
    assert '<a href="#id_my_domain_url">My Domain URL: ' in form


def test_it_counts_the_problems_and_links_a_radio_group(alice_client, team):
    response = alice_client.post(reverse("connections:new", args=[team.slug]), {"name": ""})
    form = _form(response.content.decode())
    assert "There are 2 problems" in form
    assert '<a href="#id_name">Name: This field is required.</a>' in form
    assert '<a href="#id_environment">' in form
    assert 'id="id_environment"' in form  # the radio group's container


def test_a_sign_in_error_is_summed_up_too(client, alice):
    response = client.post(reverse("accounts:login"), {"username": alice.email, "password": "x"})
    assert "error-summary" in response.content.decode()


def test_every_page_loads_the_script_that_focuses_the_summary(alice_client, team):
    page = alice_client.get(reverse("connections:list", args=[team.slug])).content.decode()
    assert '<script src="/static/js/forms.js" defer></script>' in page
    script = Path(finders.find("js/forms.js")).read_text()
    assert 'document.querySelector(".error-summary")' in script and "summary.focus()" in script


def test_the_missing_outbound_ip_is_a_notice_not_an_error(alice_client, team, settings):
    settings.SERVER_OUTBOUND_IP = ""
    page = alice_client.get(reverse("connections:new", args=[team.slug])).content.decode()
    notice = re.search(
        r'<div class="([^"]+)" role="([^"]+)"><strong>Note:</strong> the Server', page
    )
    assert notice and notice.groups() == ("notice", "note")
