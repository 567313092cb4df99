"""Environment URLs: Dataverse's host patterns (regional crmN hosts, sovereign clouds), Web
API URLs normalised, portal and app-page URLs refused with a hint."""

import pytest
from django.core.exceptions import ValidationError

from connections.providers.dynamics import environments


@pytest.mark.parametrize(
    ("entered", "expected"),
    [
        ("https://contoso.crm.dynamics.com", "https://contoso.crm.dynamics.com"),
        ("contoso.crm4.dynamics.com/", "https://contoso.crm4.dynamics.com"),
        ("https://Contoso.CRM11.dynamics.com", "https://contoso.crm11.dynamics.com"),
        ("https://contoso.api.crm.dynamics.com/api/data/v9.2", "https://contoso.crm.dynamics.com"),
        (
            "https://contoso.api.crm5.dynamics.com/api/data/v9.2/",
            "https://contoso.crm5.dynamics.com",
        ),
        ("https://contoso.crm9.dynamics.com", "https://contoso.crm9.dynamics.com"),
        ("https://contoso.crm.microsoftdynamics.us", "https://contoso.crm.microsoftdynamics.us"),
        ("https://contoso.crm.appsplatform.us", "https://contoso.crm.appsplatform.us"),
        ("https://contoso.crm.dynamics.cn", "https://contoso.crm.dynamics.cn"),
    ],
)
def test_it_accepts_and_normalises_environment_urls(entered, expected):
    assert environments.normalize(entered) == expected


@pytest.mark.parametrize(
    ("entered", "hint"),
    [
        ("https://make.powerapps.com/environments/abc/home", "Session details"),
        (
            "https://contoso.crm.dynamics.com/main.aspx?appid=1&pagetype=dashboard",
            "https://contoso.crm.dynamics.com",
        ),
        ("http://contoso.crm.dynamics.com", "https://"),
        ("https://contoso.example.com", "not a Dataverse environment host"),
        ("https://contoso.crm.dynamics.com.evil.example", "not a Dataverse environment host"),
        ("", "Enter the environment URL"),
    ],
)
def test_it_refuses_other_urls_with_a_hint(entered, hint):
    with pytest.raises(ValidationError) as raised:
        environments.normalize(entered)
    assert hint in " ".join(raised.value.messages)


def test_it_accepts_the_emulator_only_under_an_allowed_prefix(settings):
    emulated = "http://127.0.0.1:8883/env/orgkeeper-demo"
    settings.DYNAMICS_ALLOWED_ENVIRONMENT_PREFIXES = []
    with pytest.raises(ValidationError):
        environments.normalize(emulated)
    settings.DYNAMICS_ALLOWED_ENVIRONMENT_PREFIXES = ["http://127.0.0.1:8883/env/"]
    assert environments.normalize(emulated) == emulated
    assert environments.normalize(emulated + "/api/data/v9.2") == emulated
    with pytest.raises(ValidationError):
        environments.normalize("http://127.0.0.1:8883/env/a/b")


def test_it_derives_global_discovery_from_the_authority(settings):
    settings.DYNAMICS_DISCOVERY_URL = ""
    settings.DYNAMICS_AUTHORITY = "https://login.microsoftonline.com"
    assert environments.discovery_url() == "https://globaldisco.crm.dynamics.com"
    settings.DYNAMICS_AUTHORITY = "https://login.microsoftonline.us"
    assert environments.discovery_url() == "https://globaldisco.crm.microsoftdynamics.us"
    settings.DYNAMICS_AUTHORITY = "http://127.0.0.1:8883"
    assert environments.discovery_url() == "http://127.0.0.1:8883/globaldisco"
    settings.DYNAMICS_DISCOVERY_URL = "https://globaldisco.crm9.dynamics.com/"
    assert environments.discovery_url() == "https://globaldisco.crm9.dynamics.com"


def test_it_lower_cases_the_environment_name_under_an_allowed_prefix(settings):
    # As a host name is: the emulator's environments are named in lower case.
    settings.DYNAMICS_ALLOWED_ENVIRONMENT_PREFIXES = ["http://127.0.0.1:8883/env/"]
    assert (
        environments.normalize("HTTP://127.0.0.1:8883/env/ORGKEEPER-Demo/api/data/v9.2")
        == "http://127.0.0.1:8883/env/orgkeeper-demo"
    )
