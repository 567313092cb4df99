"""The Content-Security-Policy (django-csp's CONTENT_SECURITY_POLICY setting)."""

from csp.constants import NONE, SELF


def content_security_policy(allow_insecure_login_hosts: bool) -> dict:
    """No inline script or style: scripts and styles come from static/.

    ``form-action`` also governs the redirects that follow a form POST in Chromium: "Connect"
    POSTs to Orgkeeper, which redirects to the org's Salesforce authorize URL, and Salesforce
    may redirect on to the org's single sign-on provider, on any host. So form-action allows
    ``https:``, plus ``http:`` while ALLOW_INSECURE_LOGIN_HOSTS admits the local emulator.
    """
    form_action = [SELF, "https:", *(["http:"] if allow_insecure_login_hosts else [])]
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF],
            "img-src": [SELF, "data:"],
            "object-src": [NONE],
            "base-uri": [SELF],
            "form-action": form_action,
            "frame-ancestors": [NONE],
        },
    }
