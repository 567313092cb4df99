"""Sign-in protection helpers for django-axes (settings: the "Sign-in protection" section)."""

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render

from .forms import EMAIL_MAX_LENGTH


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """The account a failed sign-in counts against: the submitted email, compared without
    case or surrounding spaces as sign-in does, and no longer than an email can be (axes
    stores it in a 255-character column)."""
    source = credentials if credentials is not None else request.POST
    value = source.get("username") or ""
    return str(value).strip().lower()[:EMAIL_MAX_LENGTH]


def lockout_response(request: HttpRequest, original_response, credentials: dict | None):
    """The page shown instead of signing in while an account or address is locked out."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)


def client_ip(request: HttpRequest) -> str:
    """The address failed sign-ins are counted against: REMOTE_ADDR, or behind
    TRUSTED_PROXY_COUNT proxies the address the outermost one saw, the TRUSTED_PROXY_COUNT-th
    entry of X-Forwarded-For from the right (entries further left are what the client
    claimed, so they are never trusted)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in header.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count][:45]
    return request.META.get("REMOTE_ADDR", "")
