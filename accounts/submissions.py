"""Forms submitted once: a double click or a reload POSTs the same form twice, and the second
POST must find what the first made instead of making another (a second draft, invitation or
sign-in flow).

Each rendered form carries a random one-time value (``SubmittedOnce.submission``); the row
the POST makes stores it in a unique column, which makes a concurrent twin fail and find it.
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.db import IntegrityError, models, transaction

M = TypeVar("M", bound=models.Model)


class SubmittedOnce(forms.Form):
    """Adds the hidden one-time ``submission`` value (a new one for every rendered form;
    absent in a POST from an older page: then every POST counts)."""

    submission = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)


def once(
    rows: models.QuerySet[M], submission: uuid.UUID | None, create: Callable[[], M]
) -> tuple[M, bool]:
    """The row of ``rows`` made with ``submission`` and False, or ``create()``'s new row
    (which must store ``submission`` in a unique field) and True. Runs ``create`` in a
    savepoint: when a concurrent POST of the same form won, its row is returned instead.
    Raises whatever ``create`` raises otherwise."""
    if submission is not None:
        existing = rows.filter(submission=submission).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = rows.filter(submission=submission).first() if submission else None
        if existing is None:
            raise
        return existing, False
