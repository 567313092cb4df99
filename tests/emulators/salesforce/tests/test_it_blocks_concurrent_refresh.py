import threading
import time

from tests.emulators.salesforce.tests.helpers import assert_oauth_error, connect, refresh

PROCESSING_SECONDS = 0.6


def refresh_while_first_is_processing(emu, token):
    """Start a refresh, wait until the emulator holds the token as processing, send another."""
    first = {}
    thread = threading.Thread(target=lambda: first.setdefault("response", refresh(emu, token)))
    thread.start()
    grant = emu.grant_for_refresh_token(token)
    deadline = time.monotonic() + 5
    while not grant.processing and time.monotonic() < deadline:
        time.sleep(0.005)
    assert grant.processing, "the first refresh never started processing"
    second = refresh(emu, token)
    thread.join(10)
    return first["response"], second


def test_it_answers_already_being_processed_to_a_parallel_refresh(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.token_processing_seconds = PROCESSING_SECONDS

    first, second = refresh_while_first_is_processing(salesforce_emulator, token)

    assert first.status_code == 200
    assert_oauth_error(second, "invalid_grant", "token request is already being processed")
    # The blocked request is not treated as a replay: the winner's new token still works.
    assert salesforce_emulator.is_refresh_token_live(first.json()["refresh_token"])


def test_it_also_blocks_parallel_refreshes_without_rotation(salesforce_emulator):
    salesforce_emulator.demo_app.refresh_token_rotation = False
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.token_processing_seconds = PROCESSING_SECONDS

    first, second = refresh_while_first_is_processing(salesforce_emulator, token)

    assert (first.status_code, second.status_code) == (200, 400)
    assert refresh(salesforce_emulator, token).status_code == 200


def test_it_counts_latency_as_processing_time(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.latency = PROCESSING_SECONDS

    first, second = refresh_while_first_is_processing(salesforce_emulator, token)

    assert first.status_code == 200
    assert second.json()["error_description"] == "token request is already being processed"
