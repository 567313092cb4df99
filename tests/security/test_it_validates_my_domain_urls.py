"""``normalize_my_domain_url`` on anything: it raises nothing but ValidationError, and what it
accepts is a valid URL of the form https://<name>.my.salesforce.com (or http://<host>[:port]
only while ALLOW_INSECURE_LOGIN_HOSTS is on)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from hypothesis import example, given
from hypothesis import strategies as st

from connections.providers.salesforce.login_hosts import normalize_my_domain_url
from tests.security.conftest import BOUNDED, any_text

HTTPS_RESULT = re.compile(
    r"^https://[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
    r"(?:\.(?:sandbox|develop|scratch|trailblaze|demo|patch|free))?\.my\.salesforce\.com(?::\d+)?$"
)
NAME = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}[a-z0-9]\Z")
URL_PIECES = st.tuples(
    st.sampled_from(["", "https://", "http://", "HTTPS://", "ftp://", "//", "https:/"]),
    st.one_of(NAME, any_text(40)),
    st.sampled_from(["", ".sandbox", "--dev.sandbox", ".develop", ".lightning.force"]),
    st.sampled_from([".my.salesforce.com", ".MY.SALESFORCE.COM", ".salesforce.com", ".com", ""]),
    st.sampled_from(["", ":443", ":8443", ":0", ":99999", ":x"]),
    st.sampled_from(["", "/", "/path?q=1", "#frag", " ", "\x00", "@evil.example"]),
)
is_url = URLValidator(schemes=["http", "https"])


def check(value: str, insecure: bool) -> None:
    try:
        result = normalize_my_domain_url(value)
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)
        return
    is_url(result)
    if result.startswith("https://"):
        assert HTTPS_RESULT.match(result), result
    else:
        assert insecure and re.match(r"^http://[^/?#@\s]+$", result), result


@BOUNDED
@given(value=st.one_of(any_text(), st.builds("".join, URL_PIECES)))
@example(value="http://[::1]:8000")
@example(value="http://a b")
@example(value="https://acme.my.salesforce.com:0")
def test_it_accepts_only_login_urls(settings, value):
    settings.ALLOW_INSECURE_LOGIN_HOSTS = True
    check(value, insecure=True)


@BOUNDED
@given(value=st.one_of(any_text(), st.builds("".join, URL_PIECES)))
def test_it_accepts_only_https_in_production(settings, value):
    settings.ALLOW_INSECURE_LOGIN_HOSTS = False
    check(value, insecure=False)


@BOUNDED
@given(name=NAME, suffix=st.sampled_from(["", ".sandbox", ".develop"]))
def test_it_normalises_real_my_domains(settings, name, suffix):
    settings.ALLOW_INSECURE_LOGIN_HOSTS = False
    if "--" in name:
        return
    typed = f"  {name.upper()}{suffix}.my.salesforce.com/ "
    assert normalize_my_domain_url(typed) == f"https://{name}{suffix}.my.salesforce.com"
