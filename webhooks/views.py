"""Team settings → Webhooks: endpoints, their delivery log, Send test event, Redeliver and
secret rotation. Owners and admins only: viewers get 403, outsiders 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import Role, get_team_for_user
from accounts.submissions import SubmittedOnce

from . import tasks
from .forms import EndpointForm
from .models import Delivery, Endpoint, RotationRefused

DELIVERIES_PER_PAGE = 25
# The endpoint whose new signing secret the next GET of its rotate page shows (once).
SHOW_SECRET = "webhooks_show_secret"  # noqa: S105 (a session key, not a secret)


def _endpoint(request: HttpRequest, slug: str, code) -> Endpoint:
    team = get_team_for_user(request, slug, Role.ADMIN)
    return get_object_or_404(Endpoint.objects.select_related("team"), team=team, code=code)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def endpoint_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's endpoints and the form to add one; a new endpoint's signing secret is
    shown in this response only (the page isn't cached)."""
    team = get_team_for_user(request, slug, Role.ADMIN)
    form = EndpointForm(request.POST or None)
    context = {"team": team, "form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            endpoint, secret = Endpoint.create(
                team, form.cleaned_data["url"], form.cleaned_data["event_types"], request.user
            )
            context.update(created=endpoint, secret=secret, form=EndpointForm())
        else:
            status = 400
    context["endpoints"] = Endpoint.objects.filter(team=team)
    return render(request, "webhooks/list.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, slug: str, code) -> HttpResponse:
    """An endpoint's settings and its delivery log with every attempt."""
    endpoint = _endpoint(request, slug, code)
    initial = {
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "enabled": endpoint.enabled,
    }
    form = EndpointForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        endpoint.url = form.cleaned_data["url"]
        endpoint.event_types = sorted(form.cleaned_data["event_types"])
        if form.cleaned_data["enabled"] and not endpoint.enabled:
            endpoint.failing_since, endpoint.disabled_reason = None, ""
        endpoint.enabled = form.cleaned_data["enabled"]
        endpoint.save()
        messages.success(request, "Webhook saved.")
        return redirect("webhooks:detail", slug=slug, code=endpoint.code)
    deliveries = Delivery.objects.filter(endpoint=endpoint).prefetch_related("attempts")
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "team": endpoint.team,
        "endpoint": endpoint,
        "form": form,
        "deliveries": page,
        "rotate_form": SubmittedOnce(),
    }
    status = 400 if form.is_bound else 200
    return render(request, "webhooks/detail.html", context, status=status)


@login_required
@require_POST
def send_test(request: HttpRequest, slug: str, code) -> HttpResponse:
    endpoint = _endpoint(request, slug, code)
    if not endpoint.enabled:
        messages.error(request, "Enable the webhook first: disabled webhooks get nothing.")
    else:
        with transaction.atomic():
            tasks.send_test_event(endpoint, request.user)
        messages.success(request, "Test event sent: its delivery is listed below.")
    return redirect("webhooks:detail", slug=slug, code=endpoint.code)


@login_required
@require_POST
def redeliver(request: HttpRequest, slug: str, code, delivery) -> HttpResponse:
    endpoint = _endpoint(request, slug, code)
    found = get_object_or_404(Delivery, endpoint=endpoint, code=delivery)
    if not endpoint.enabled:
        messages.error(request, "Enable the webhook first: disabled webhooks get nothing.")
    else:
        with transaction.atomic():
            tasks.redeliver(found)
        messages.success(request, f"Redelivering {found.event_type} (same webhook-id).")
    return redirect("webhooks:detail", slug=slug, code=endpoint.code)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rotate_secret(request: HttpRequest, slug: str, code) -> HttpResponse:
    """POST: a new signing secret (once per form: a double submit or reload rotates once),
    then a redirect to GET, which shows it once. The old secret keeps signing for 24 hours;
    another rotation inside those hours is refused. Only a flag is kept in the session: the
    secret is read from its encrypted field."""
    endpoint = _endpoint(request, slug, code)
    if request.method == "GET":
        if request.session.pop(SHOW_SECRET, None) != str(endpoint.code):
            return redirect("webhooks:detail", slug=slug, code=endpoint.code)
        context = {"team": endpoint.team, "endpoint": endpoint, "secret": endpoint.secret}
        return render(request, "webhooks/rotated.html", context)
    form = SubmittedOnce(request.POST)
    submission = form.cleaned_data["submission"] if form.is_valid() else None
    try:
        rotated = endpoint.rotate_secret(submission)
    except RotationRefused as refused:
        messages.error(request, f"{refused} Rotate again after that.")
        return redirect("webhooks:detail", slug=slug, code=endpoint.code)
    if rotated is not None:
        request.session[SHOW_SECRET] = str(endpoint.code)
    return redirect("webhooks:rotate", slug=slug, code=endpoint.code)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, slug: str, code) -> HttpResponse:
    endpoint = _endpoint(request, slug, code)
    if request.method == "GET":
        return render(
            request, "webhooks/delete.html", {"team": endpoint.team, "endpoint": endpoint}
        )
    endpoint.delete()
    messages.success(request, f"Deleted the webhook {endpoint.url}.")
    return redirect("webhooks:list", slug=slug)
