import pytest

from api.proxy_checks import check_proxy_max_body


@pytest.mark.parametrize("limit", [-1, 1.5, "1MB", True])
def test_a_bad_limit_is_an_error(settings, limit):
    settings.API_PROXY_MAX_BODY = limit

    [error] = check_proxy_max_body(None)

    assert error.id == "api.E101"


def test_a_huge_limit_is_a_warning(settings):
    settings.API_PROXY_MAX_BODY = 500 * 1024 * 1024

    [warning] = check_proxy_max_body(None)

    assert warning.id == "api.W101"


@pytest.mark.parametrize("limit", [0, 1024 * 1024])
def test_a_sane_limit_passes(settings, limit):
    settings.API_PROXY_MAX_BODY = limit

    assert check_proxy_max_body(None) == []
