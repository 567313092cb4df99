from django.test import Client
from django.urls import reverse

from accounts.models import User


def test_it_creates_a_superuser_from_email_and_password(db):
    user = User.objects.create_superuser("Root@Example.COM", "s3cret-pass-phrase")
    assert user.email == "root@example.com"
    assert user.is_staff and user.is_superuser
    assert user.check_password("s3cret-pass-phrase")
    assert str(user) == "root@example.com"


def test_it_signs_in_with_a_differently_cased_email(db):
    User.objects.create_superuser("root@example.com", "s3cret-pass-phrase")
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "ROOT@example.com", "password": "s3cret-pass-phrase"},
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_it_uses_the_name_when_there_is_one(db):
    user = User.objects.create_user("ann@example.com", name="Ann Lee")
    assert user.get_full_name() == "Ann Lee"
    assert User(email="bo@example.com").get_full_name() == "bo@example.com"
    assert not user.has_usable_password()
