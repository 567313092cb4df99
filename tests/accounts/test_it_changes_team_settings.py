from django.urls import reverse


def url(team) -> str:
    return reverse("accounts:team_settings", args=[team.slug])


def test_it_shows_the_current_name(alice_client, team):
    response = alice_client.get(url(team))
    assert response.status_code == 200
    assert b'value="Acme Admins"' in response.content


def test_it_renames_the_team_and_keeps_the_slug(alice_client, team):
    slug = team.slug
    response = alice_client.post(url(team), {"name": "  Acme Salesforce Admins "}, follow=True)
    team.refresh_from_db()
    assert team.name == "Acme Salesforce Admins"
    assert team.slug == slug
    assert response.redirect_chain == [(url(team), 302)]
    assert b"now called Acme Salesforce Admins" in response.content


def test_it_rejects_a_blank_name(alice_client, team):
    response = alice_client.post(url(team), {"name": "   "})
    assert response.status_code == 400
    assert b"errorlist" in response.content
    team.refresh_from_db()
    assert team.name == "Acme Admins"


def test_it_forbids_admins(bob_client, team):
    assert bob_client.post(url(team), {"name": "Mine now"}).status_code == 403
    team.refresh_from_db()
    assert team.name == "Acme Admins"


def test_it_folds_line_breaks_so_the_name_fits_an_email_subject(alice_client, team):
    # Invitation emails put the team name in the Subject header, which can't hold a newline.
    alice_client.post(url(team), {"name": "Acme\r\nBcc: someone@example.com"})
    team.refresh_from_db()
    assert team.name == "Acme Bcc: someone@example.com"
    response = alice_client.post(
        reverse("accounts:invite", args=[team.slug]), {"email": "dave@example.com", "role": "admin"}
    )
    assert response.status_code == 302
