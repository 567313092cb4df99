"""Team management (placeholder, being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


settings = members = invite = change_role = remove_member = cancel_invitation = _todo
accept_invitation = _todo
