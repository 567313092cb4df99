"""Smoke test of Django's password reset views through our URL names."""

import re

from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase 42"


def test_it_resets_a_password_by_email(client, alice):
    response = client.post(reverse("accounts:password_reset"), {"email": "Alice@example.com"})
    assert response.url == reverse("accounts:password_reset_done")
    [email] = mail.outbox
    assert email.to == ["alice@example.com"]
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", email.body).group(1)

    form_page = client.get(path, follow=True)
    assert b"Choose a new password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.url == reverse("accounts:password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert client.get(path, follow=True).context["validlink"] is False


def test_it_sends_nothing_for_an_unknown_email(client, alice):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("accounts:password_reset_done")
    assert not mail.outbox
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
