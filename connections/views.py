"""Connection pages: the two-step wizard, the OAuth callback, list, detail and actions.
Every page loads its team or connection through ``get_team_for_user`` /
``get_connection_for_user``; owners and admins act, viewers only look."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Role, get_team_for_user
from accounts.submissions import once
from events.views import page_of

from . import approvals, callback_urls, duplicates, guidance, keepalive, oauth, providers
from .access import get_connection_for_user
from .errors import Guidance
from .models import (
    AuthorizationRequest,
    ClientCredentials,
    Connection,
    ConnectionEvent,
    TokenSet,
    status_change,
)
from .oauth import AuthorizationFailed, complete_authorization
from .providers.base import Provider, ProviderError

CONNECTIONS_PER_PAGE = 50


def _new_provider(request: HttpRequest | None = None) -> Provider:
    """The provider of a connection the wizard creates: the ``provider`` the New connection
    page was opened with (a registered name), else the field's default."""
    name = request.GET.get("provider", "") if request is not None else ""
    try:
        return providers.get(name)
    except LookupError:
        return providers.get(Connection._meta.get_field("provider").default)


def _setup_context(provider: Provider) -> dict:
    """The values admins paste into the provider's app registration, and its checklist."""
    return {
        "callback_urls": callback_urls.callback_urls(),
        "outbound_ip": settings.SERVER_OUTBOUND_IP,
        "checklist_template": provider.checklist_template,
    }


def _wizard_context(request: HttpRequest, provider: Provider) -> dict:
    """The setup values, and where to go instead when this host can't finish a sign-in."""
    return {
        **_setup_context(provider),
        "provider": provider,
        "providers": [providers.get(name) for name, _ in providers.choices()],
        "address_to_use": callback_urls.address_to_use(request.get_host(), request.path),
    }


def _form_status(form) -> int:
    """400 for a page shown again with form errors (as the team's invite form does)."""
    return 400 if form.is_bound and form.errors else 200


def _can_act(request: HttpRequest) -> bool:
    return request.membership.has_role(Role.ADMIN)


@login_required
@require_GET
def connection_list(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request, slug)
    # Case-insensitive, as people read names ("alpha" before "Zulu"); names may repeat (in
    # any case), so the primary key breaks ties: every row lands on exactly one page.
    connections = (
        Connection.objects.for_team(team)
        .select_related("team", "tokens")
        .order_by(Lower("name"), "pk")
    )
    # get_page() falls back to the first or last page for a missing, invalid or out-of-range number.
    page_obj = Paginator(connections, CONNECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "team": team,
        "connections": page_obj,
        "page_obj": page_obj,
        "can_act": _can_act(request),
    }
    return render(request, "connections/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def connection_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 1 of 2, "Set up Salesforce External Client App": name and environment, with the
    values and checklist for Salesforce Setup. Creates a draft connection."""
    team = get_team_for_user(request, slug, Role.ADMIN)
    provider = _new_provider(request)
    form = provider.forms.NewConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        submission = form.cleaned_data["submission"]

        def create() -> Connection:
            connection = Connection(
                team=team, created_by=request.user, submission=submission, provider=provider.name
            )
            form.apply(connection)
            connection.save()
            connection.record(
                ConnectionEvent.Kind.CREATED,
                f"Created for {provider.where(connection)}.",
                request.user,
                type=ConnectionEvent.Type.CONNECTION_CREATED,
                **status_change("", connection.status),
            )
            return connection

        # The same form again (a double click, a reload): the first POST's draft.
        connection, _ = once(Connection.objects.for_team(team), submission, create)
        return redirect("connections:credentials", slug=team.slug, code=connection.code)
    context = {"team": team, "form": form, **_wizard_context(request, provider)}
    return render(request, provider.setup_template, context, status=_form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Step 1 again for a connection that was never connected (step 2's Back): change the
    same draft's name and environment instead of creating another draft."""
    connection = get_connection_for_user(request, slug, code, Role.ADMIN)
    if not connection.is_unfinished:
        return redirect("connections:edit", slug=connection.team.slug, code=connection.code)
    provider = providers.for_connection(connection)
    form = provider.forms.ConnectionForm(
        request.POST or None, initial=provider.forms.initial(connection)
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.apply(connection)
            connection.save()
            connection.record(
                ConnectionEvent.Kind.UPDATED,
                f"Set up for {provider.where(connection)}.",
                request.user,
            )
        return redirect("connections:credentials", slug=connection.team.slug, code=connection.code)
    context = {
        "team": connection.team,
        "connection": connection,
        "form": form,
        **_wizard_context(request, provider),
    }
    return render(request, provider.setup_template, context, status=_form_status(form))


def _tokens_of(connection: Connection) -> TokenSet | None:
    """The connection's TokenSet, holding ``connection`` itself: its pages read the provider's
    idle TTL through it, which would otherwise load the connection a second time."""
    tokens = TokenSet.objects.filter(connection=connection).first()
    if tokens is not None:
        tokens.connection = connection
    return tokens


@sensitive_post_parameters("consumer_secret")
@login_required
@require_http_methods(["GET", "POST"])
def credentials(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Step 2 of 2, "Enter External Client App Credentials": send the admin to Salesforce to
    sign in (also used to re-authorize). The consumer key and secret are kept with the flow
    and saved only once the sign-in succeeds (connections.oauth)."""
    connection = get_connection_for_user(request, slug, code, Role.ADMIN)
    app = ClientCredentials.objects.filter(connection=connection).first()
    provider = providers.for_connection(connection)
    form = provider.forms.ConnectForm(
        request.POST or None,
        has_secret=app is not None,
        initial={"consumer_key": app.consumer_key} if app else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            connection.check_login_url()
        except ValidationError as error:
            where = provider.address_label
            form.add_error(None, f"Can't sign in at this {where}: {' '.join(error)}")
        else:
            with transaction.atomic():
                authorize_url = oauth.start(
                    connection,
                    request.user,
                    request.get_host(),
                    form.cleaned_data.get("consumer_key", ""),
                    form.cleaned_data.get("consumer_secret", ""),
                    form.cleaned_data["submission"],
                )
            return redirect(authorize_url)
    return render(
        request,
        provider.connect_template,
        {
            "team": connection.team,
            "connection": connection,
            "form": form,
            **_wizard_context(request, provider),
        },
        status=_form_status(form),
    )


def _problem(
    request: HttpRequest, advice: Guidance, connection: Connection | None = None
) -> HttpResponse:
    provider = providers.for_connection(connection) if connection else _new_provider()
    context = {
        "guidance": advice,
        "connection": connection,
        "provider": provider,
        **_setup_context(provider),
    }
    return render(request, "connections/oauth_problem.html", context, status=advice.http_status)


def _invalid_link(
    request: HttpRequest, reason: str, connection: Connection | None = None, status: int = 400
) -> HttpResponse:
    advice = Guidance(
        "This sign-in link is no longer valid — start again.", reason, http_status=status
    )
    return _problem(request, advice, connection)


# The flows this browser session completed (the newest few), so that reloading the
# callback or coming back to it leads to the connection, not to "already used". Only a hint
# for the page: the flow's row still decides what is exchanged, and never twice.
COMPLETED_SIGN_INS = "completed_sign_ins"
COMPLETED_SIGN_INS_KEPT = 10


def _completed_here(request: HttpRequest, flow: AuthorizationRequest) -> bool:
    return flow.user_id == request.user.pk and flow.pk in request.session.get(
        COMPLETED_SIGN_INS, ()
    )


def _remember_completed(request: HttpRequest, flow: AuthorizationRequest) -> None:
    completed = request.session.get(COMPLETED_SIGN_INS, [])
    request.session[COMPLETED_SIGN_INS] = [*completed, flow.pk][-COMPLETED_SIGN_INS_KEPT:]


def _unsolicited_answer(request: HttpRequest) -> HttpResponse | None:
    """The page for a redirect no sign-in started (no ``state``), such as Entra's answer to
    an admin consent link; None for any other redirect."""
    if request.GET.get("state"):
        return None
    for name, _ in providers.choices():
        provider = providers.get(name)
        answer = getattr(provider, "unsolicited_callback", None)
        advice = answer(request.GET) if answer else None
        if advice is not None:
            context = {"guidance": advice, "connection": None, "provider": provider}
            return render(
                request, "connections/oauth_problem.html", context, status=advice.http_status
            )
    return None


def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the admin back (``redirect_uri``). A redirect no sign-in
    started (an admin consent link's answer, opened by a tenant administrator who may have no
    Orgkeeper account) changes nothing here, so its page needs no login; every other one goes
    to the signed-in callback."""
    unsolicited = _unsolicited_answer(request) if request.method == "GET" else None
    return unsolicited or _signed_in_callback(request)


@login_required
@require_GET
def _signed_in_callback(request: HttpRequest) -> HttpResponse:
    """The sign-in's return with ``code`` and ``state``, or ``error`` and
    ``error_description``. The flow is looked up by ``state`` and claimed once before
    anything is sent to the provider (RFC 6749 §4.1.2, §10.12); connections.oauth does the
    work, this view picks the page."""
    flow = oauth.flow_for_state(request.GET.get("state", ""))
    if flow is None:
        return _invalid_link(request, "Orgkeeper doesn't know this sign-in.")
    # Removed from the team, or no longer an owner or admin, since the sign-in started.
    no_access = "Your account may no longer manage connections of this team."
    try:
        connection = get_connection_for_user(
            request, flow.connection.team.slug, flow.connection.code
        )
    except Http404:
        return _invalid_link(request, no_access, status=404)
    if _completed_here(request, flow):
        # A reload or the back button after success: the code isn't sent again.
        messages.info(request, "This sign-in was already completed.")
        return redirect(connection)
    if not request.membership.has_role(Role.ADMIN):
        return _invalid_link(request, no_access, status=403)
    refusal = oauth.claim(flow, request.user)
    if refusal:
        return _invalid_link(request, refusal.reason, connection, refusal.status)
    try:
        authorized = complete_authorization(flow, request.GET)
    except AuthorizationFailed as failure:
        return _problem(request, failure.guidance, connection)
    _remember_completed(request, flow)
    if flow.connection.duplicate_of_id:
        messages.info(request, f"Signed in. {authorized.message} Choose below.")
        return redirect(connection)
    messages.success(request, f"Connected. {authorized.message}")
    if authorized.warning:
        messages.warning(request, authorized.warning)
    return redirect(connection)


@login_required
@require_GET
def detail(request: HttpRequest, slug: str, code) -> HttpResponse:
    connection = get_connection_for_user(request, slug, code)
    provider = providers.for_connection(connection)
    awaits_choice = connection.awaits_choice
    context = {
        "awaits_choice": awaits_choice,
        "holding": (
            approvals.holding_same_approval(
                connection, connection.client_credentials.consumer_key
            ).count()
            + 1
            if awaits_choice
            else 0
        ),
        "approvals_per_user_and_app": provider.policies.approvals_per_user_limit,
        "team": connection.team,
        "connection": connection,
        "tokens": _tokens_of(connection),
        "client_credentials": ClientCredentials.objects.filter(connection=connection).first(),
        "events": page_of(connection.events.all(), request),
        "can_act": _can_act(request),
        "healthy": connection.is_connected and not connection.is_degraded,
        "provider": provider,
        **_setup_context(provider),
    }
    return render(request, "connections/detail.html", context)


@sensitive_post_parameters("consumer_secret")
@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Name and consumer secret; the environment and consumer key only while the connection
    holds no tokens (otherwise another key goes through Re-authorize)."""
    connection = get_connection_for_user(request, slug, code, Role.ADMIN)
    app = ClientCredentials.objects.filter(connection=connection).first()
    provider = providers.for_connection(connection)
    initial = {
        **provider.forms.initial(connection),
        "consumer_key": app.consumer_key if app else "",
    }
    form = provider.forms.EditForm(request.POST or None, initial=initial, connection=connection)
    verified, problem = False, None
    if request.method == "POST" and form.is_valid():
        verified, problem = _verify_new_credentials(request, connection, app, form)
    if request.method == "POST" and form.is_valid() and problem is None:
        changed = form.changed_labels() + (f" (accepted by {provider.label})" if verified else "")
        with transaction.atomic():
            # Lock the row first (the order oauth._store and the keep-alive use), and write
            # only the form's fields: a full save would put back the keep-alive state read
            # before a refresh that committed meanwhile (status, schedule, failures).
            Connection.objects.select_for_update().get(pk=connection.pk)
            form.apply(connection)
            connection.save(
                update_fields=["name", "environment", "my_domain_url", "login_url", "updated"]
            )
            connection.record(
                ConnectionEvent.Kind.UPDATED,
                f"Changed {changed}." if changed else "Saved without changes.",
                request.user,
            )
        messages.success(request, "Saved.")
        return redirect(connection)
    context = {
        "team": connection.team,
        "connection": connection,
        "form": form,
        "provider": provider,
        "guidance": problem,
        **(_setup_context(provider) if problem else {}),
    }
    status = problem.http_status if problem else _form_status(form)
    return render(request, "connections/edit.html", context, status=status)


@sensitive_variables()
def _verify_new_credentials(request, connection, app, form) -> tuple[bool, Guidance | None]:
    """A connection whose refresh token is alive tries a new consumer key or secret with one
    refresh (the keep-alive's, under its lock) before anything is saved; the rotated tokens
    and the credentials are stored only if Salesforce accepts them. Returns whether they
    were verified, and what went wrong (None: accepted, or nothing to verify)."""
    data = form.cleaned_data
    if "consumer_key" not in data:  # the provider's app isn't the connection's (Dynamics)
        return False, None
    if app is None or not (data["consumer_secret"] or data["consumer_key"] != app.consumer_key):
        return False, None
    if not (connection.refresh_token_alive and connection.has_tokens):
        return False, None
    new_credentials = ClientCredentials(
        connection=connection,
        consumer_key=data["consumer_key"],
        consumer_secret=data["consumer_secret"] or app.consumer_secret,
    )
    result = keepalive.refresh_connection(
        connection.pk, force=True, actor=request.user, new_credentials=new_credentials
    )
    if result.outcome == keepalive.Outcome.REFRESHED:
        return True, None
    if result.refusal is not None:
        advice = providers.for_connection(connection).explain(result.refusal)
    else:
        advice = Guidance("The new credentials couldn't be checked.", f"{result.message}")
    # The advice speaks of the sign-in flow; here the admin only has to paste again.
    fix = (
        f"Check it in {providers.for_connection(connection).label} (step {advice.step}, below) "
        "and paste it again."
        if advice.step
        else advice.message
    )
    form.add_error(None, f"Nothing was saved. {advice.title} {fix}")
    return False, advice


@login_required
@require_POST
def test_connection(request: HttpRequest, slug: str, code) -> HttpResponse:
    """One REST call with the stored tokens (refreshing once on 401 INVALID_SESSION_ID)."""
    connection = get_connection_for_user(request, slug, code, Role.ADMIN)
    provider = providers.for_connection(connection)
    status_before = connection.status
    try:
        body = keepalive.call_api(connection, provider.probe)
    except keepalive.RefreshFailed as failure:
        # The keep-alive recorded the failure and any status change, and alerts the team.
        connection.refresh_from_db()
        text = guidance.refresh_failed(
            failure.result.kind, failure.result.message, connection, status_before
        )
        connection.record(ConnectionEvent.Kind.TEST_FAILED, text, request.user)
        messages.error(request, f"The test failed because the tokens couldn't be refreshed. {text}")
    except keepalive.NotConnected:
        connection.refresh_from_db()
        messages.error(request, f"The test didn't run. {guidance.not_connected(connection)}")
    except ProviderError as error:
        text = provider.probe_failed(error)
        connection.record(ConnectionEvent.Kind.TEST_FAILED, text, request.user)
        messages.error(request, f"The test failed. {text}")
    else:
        text = provider.probe_passed(body)
        connection.record(ConnectionEvent.Kind.TESTED, text, request.user)
        messages.success(request, text)
    return redirect(connection)


@login_required
@require_POST
def refresh_now(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Refresh the tokens now through the keep-alive (single-flight, forced)."""
    connection = get_connection_for_user(request, slug, code, Role.ADMIN)
    status_before = connection.status
    # The generation the page showed: a second POST of it (a double click) finds newer
    # tokens and refreshes nothing.
    shown = request.POST.get("generation", "")
    result = keepalive.refresh_connection(
        connection.pk,
        force=True,
        if_generation=int(shown) if shown.isdecimal() else None,
        actor=request.user,
    )
    refreshed_meanwhile = (
        result.outcome == keepalive.Outcome.SKIPPED
        and shown.isdecimal()
        and (result.generation or 0) > int(shown)
    )
    if result.outcome == keepalive.Outcome.REFRESHED or refreshed_meanwhile:
        label = providers.for_connection(connection).label
        messages.success(request, f"Refreshed. {label} issued new tokens.")
        return redirect(connection)
    connection.refresh_from_db()
    if result.outcome == keepalive.Outcome.FAILED:
        text = guidance.refresh_failed(result.kind, result.message, connection, status_before)
        messages.error(request, f"The refresh failed. {text}")
    elif connection.is_connected:  # another refresh ran at the same moment
        messages.info(request, result.message)
    else:
        messages.warning(request, f"Not refreshed. {guidance.not_connected(connection)}")
    return redirect(connection)


@login_required
@require_http_methods(["GET", "POST"])
def disconnect(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Confirm (GET) and disconnect (POST): revoke at Salesforce, delete the tokens."""
    connection = get_connection_for_user(request, slug, code, Role.ADMIN)
    if request.method == "GET":
        context = {
            "team": connection.team,
            "connection": connection,
            "tokens": _tokens_of(connection),
            "provider": providers.for_connection(connection),
        }
        return render(request, "connections/disconnect.html", context)
    try:
        revoked = oauth.disconnect(connection, request.user)
    except oauth.AlreadyDisconnected:  # a second POST, e.g. a double click
        messages.info(request, "This connection is already disconnected.")
        return redirect(connection)
    provider = providers.for_connection(connection)
    if revoked:
        messages.success(request, f"Disconnected. {provider.label} revoked the refresh token.")
    elif not provider.policies.has_per_token_revoke:
        messages.success(request, f"Disconnected. {provider.manual_revoke_hint}")
    else:
        messages.warning(
            request,
            f"Disconnected here, but {provider.label} couldn't confirm that the refresh token "
            f"is revoked. {provider.manual_revoke_hint}",
        )
    return redirect(connection)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Confirm (GET) and delete (POST); only drafts, unfinished and disconnected ones."""
    connection = get_connection_for_user(request, slug, code, Role.ADMIN)
    if not connection.can_be_deleted:
        messages.error(request, "Disconnect this connection before deleting it.")
        return redirect(connection)
    if request.method == "POST":
        connection.delete_recorded(request.user)
        messages.success(request, f"Deleted {connection.name}.")
        return redirect("connections:list", slug=connection.team.slug)
    context = {
        "team": connection.team,
        "connection": connection,
        "provider": providers.for_connection(connection),
    }
    return render(request, "connections/delete.html", context)


@login_required
@require_POST
def reauthorize_instead(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Give this connection the tokens of a new connection that signed in as the same user
    and External Client App (``duplicate`` = its code), and remove that one."""
    connection = get_connection_for_user(request, slug, code, Role.ADMIN)
    try:
        duplicates.reauthorize_twin(connection, request.POST.get("duplicate", ""), request.user)
    except (duplicates.ChoiceMade, ValidationError):
        messages.info(request, "This choice was made already.")
    else:
        messages.success(
            request, "Re-authorized with the new sign-in; its old approval is revoked."
        )
    return redirect(connection)


@login_required
@require_POST
def keep_both(request: HttpRequest, slug: str, code) -> HttpResponse:
    """Keep a connection that signed in as the same user and app as another one."""
    connection = get_connection_for_user(request, slug, code, Role.ADMIN)
    try:
        duplicates.keep_both(connection, request.user)
    except duplicates.ChoiceMade:
        messages.info(request, "This choice was made already.")
        return redirect(connection)
    messages.success(request, "Kept both connections.")
    warning = approvals.limit_warning(connection, connection.client_credentials.consumer_key, False)
    if warning:
        messages.warning(request, warning)
    return redirect(connection)
