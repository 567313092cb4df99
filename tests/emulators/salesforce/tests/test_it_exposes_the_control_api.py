import requests

from tests.emulators.salesforce.tests.helpers import api_get, connect, refresh


def control(emu, path, payload=None, method="POST"):
    response = requests.request(
        method, f"{emu.base_url}/_emulator/{path}", json=payload, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_it_advances_the_clock(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]

    result = control(salesforce_emulator, "advance", {"days": 31})

    assert result["clock_offset"] == 31 * 86400
    assert refresh(salesforce_emulator, token).status_code == 400


def test_it_queues_faults_and_sets_processing_time(salesforce_emulator):
    result = control(
        salesforce_emulator, "faults", {"count": 2, "status": 503, "token_processing_seconds": 0.25}
    )

    assert len(result["pending"]) == 2
    assert salesforce_emulator.token_processing_seconds == 0.25
    assert refresh(salesforce_emulator, "x").status_code == 503
    assert control(salesforce_emulator, "faults", {"clear": True})["pending"] == []


def test_it_mints_grants_in_a_batch(salesforce_emulator):
    result = control(salesforce_emulator, "grants", {"count": 3, "separate": "org"})

    grants = result["grants"]
    assert len(grants) == 3
    assert len({g["org_id"] for g in grants}) == 3
    for grant in grants:
        response = refresh(
            salesforce_emulator,
            grant["refresh_token"],
            client_id=grant["consumer_key"],
            client_secret=grant["consumer_secret"],
        )
        assert response.status_code == 200, response.text


def test_it_mints_grants_for_the_demo_user_by_default(salesforce_emulator):
    (grant,) = control(salesforce_emulator, "grants", {})["grants"]

    assert grant["user_id"] == salesforce_emulator.demo_user.user_id
    assert grant["refresh_token"].startswith("5Aep861")
    assert api_get(salesforce_emulator, grant["access_token"]).status_code == 200


def test_it_revokes_grants_server_side(salesforce_emulator):
    body = connect(salesforce_emulator)

    result = control(
        salesforce_emulator, "revoke_grants", {"user_id": salesforce_emulator.demo_user.user_id}
    )

    assert result == {"revoked": 1}
    assert not salesforce_emulator.is_refresh_token_live(body["refresh_token"])


def test_it_deactivates_a_user(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]

    control(
        salesforce_emulator, f"users/{salesforce_emulator.demo_user.user_id}", {"active": False}
    )

    assert refresh(salesforce_emulator, token).json()["error_description"] == "inactive user"


def test_it_changes_app_policy(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    key = salesforce_emulator.demo_app.consumer_key

    control(salesforce_emulator, f"apps/{key}", {"ip_allowlist": ["10.0.0.0/8"]})

    assert refresh(salesforce_emulator, token).json()["error_description"] == "ip restricted"


def test_it_rejects_bad_control_input(salesforce_emulator):
    base = salesforce_emulator.base_url + "/_emulator/"
    key = salesforce_emulator.demo_app.consumer_key

    assert (
        requests.post(base + f"apps/{key}", json={"ip_allowlist": ["nope"]}, timeout=5).status_code
        == 400
    )
    assert requests.post(base + f"apps/{key}", json={"colour": "red"}, timeout=5).status_code == 400
    assert (
        requests.post(base + "users/005nope", json={"active": False}, timeout=5).status_code == 404
    )
    assert requests.post(base + "faults", json={"bogus": 1}, timeout=5).status_code == 400


def test_it_keeps_callback_urls_an_exact_list(salesforce_emulator):
    # A string would make `redirect_uri in callback_urls` a substring test.
    app = salesforce_emulator.demo_app
    base = f"{salesforce_emulator.base_url}/_emulator/apps/{app.consumer_key}"
    callbacks = list(app.callback_urls)

    for bad in ({"callback_urls": callbacks[0]}, {"callback_urls": []}, {"ip_allowlist": "1"}):
        assert requests.post(base, json=bad, timeout=5).status_code == 400, bad

    assert app.callback_urls == callbacks
    assert app.ip_allowlist == ["127.0.0.1/32"]


def test_it_lists_recorded_requests_without_secrets(salesforce_emulator):
    body = connect(salesforce_emulator)
    refresh(salesforce_emulator, body["refresh_token"])

    records = control(salesforce_emulator, "requests?grant_type=refresh_token", method="GET")[
        "requests"
    ]

    (record,) = records
    assert record["grant_type"] == "refresh_token"
    assert record["client_id"] == salesforce_emulator.demo_app.consumer_key
    assert record["remote_addr"] == "127.0.0.1"
    assert record["outcome"] == "ok"
    text = str(records)
    assert salesforce_emulator.demo_app.consumer_secret not in text
    assert body["refresh_token"] not in text


def test_it_resets_everything(salesforce_emulator):
    connect(salesforce_emulator)
    salesforce_emulator.demo_app.refresh_token_rotation = False
    salesforce_emulator.advance(days=3)
    salesforce_emulator.fail_next(1)

    control(salesforce_emulator, "reset")

    assert salesforce_emulator.grants == []
    assert salesforce_emulator.requests == []
    assert salesforce_emulator.demo_app.refresh_token_rotation is True
    assert salesforce_emulator.store.clock.offset == 0
    assert salesforce_emulator.store.faults.pending() == []


def test_it_shows_state_as_json_and_html_with_the_secret_masked(salesforce_emulator):
    connect(salesforce_emulator)
    secret = salesforce_emulator.demo_app.consumer_secret

    state = control(salesforce_emulator, "state", method="GET")
    page = requests.get(salesforce_emulator.base_url + "/", timeout=10)

    assert state["grant_count"] == 1
    assert state["grants"][0]["username"] == salesforce_emulator.demo_user.username
    assert state["apps"][0]["consumer_key"] == salesforce_emulator.demo_app.consumer_key
    assert secret not in str(state) and secret not in page.text
    assert "orgkeeper-demo" in page.text and "live" in page.text
