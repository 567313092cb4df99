from django.urls import reverse

from tests.conftest import PASSWORD


def test_it_signs_in_with_email(client, alice, team):
    response = client.post(
        reverse("accounts:login"), {"username": "Alice@Example.COM", "password": PASSWORD}
    )
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert client.get(reverse("home")).url == reverse("connections:list", args=[team.slug])


def test_it_rejects_a_wrong_password(client, alice):
    response = client.post(
        reverse("accounts:login"), {"username": alice.email, "password": "wrong"}
    )
    assert response.status_code == 200
    assert b"error-summary" in response.content
    assert "_auth_user_id" not in client.session


def test_it_signs_out_on_post(alice_client):
    response = alice_client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in alice_client.session
