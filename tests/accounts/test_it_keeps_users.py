import pytest
from django.db import IntegrityError

from accounts.models import User


@pytest.mark.django_db
def test_it_refuses_the_same_email_in_another_case_at_the_database():
    User.objects.create_user("dana@example.com", "x")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="DANA@example.com")])
