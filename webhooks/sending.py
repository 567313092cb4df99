"""One HTTP attempt of a delivery: signed (Standard Webhooks), a timeout, no redirects, and
only to an allowed destination (webhooks.destinations).
Reference: https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
"""

import time

import requests
import urllib3
from django.conf import settings
from django.utils import timezone

from .deadline import Deadline
from .destinations import RefusedDestination, check_destination, session
from .models import RESPONSE_KEPT, Attempt, Delivery

USER_AGENT = "Orgkeeper-Webhooks/1"


def headers(delivery: Delivery, now) -> dict[str, str]:
    """The request headers of an attempt made at ``now`` (signed with every active secret)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": delivery.endpoint.sign(delivery.message_id, now, delivery.payload),
    }


def attempt(delivery: Delivery) -> Attempt:
    """POST the delivery's payload once and return the (unsaved) Attempt. Never raises for
    the receiver's failures: a refused destination, an answer not complete within
    WEBHOOK_TIMEOUT (a total deadline: connect, headers and body), an error or an answer
    that breaks off is the attempt's ``error``; a redirect is a failure (not followed)."""
    now = timezone.now()
    result = Attempt(delivery=delivery, created=now)
    started = time.monotonic()
    no_answer = f"No answer within {settings.WEBHOOK_TIMEOUT} s."
    deadline = Deadline(settings.WEBHOOK_TIMEOUT)
    try:
        with deadline:
            check_destination(delivery.endpoint.url)
            if deadline.passed():
                raise requests.Timeout
            with (
                session() as checked,
                checked.post(
                    delivery.endpoint.url,
                    data=delivery.payload.encode(),
                    headers=headers(delivery, now),
                    timeout=(max(deadline.remaining(), 0.01), settings.WEBHOOK_TIMEOUT),
                    allow_redirects=False,
                    stream=True,
                ) as response,
            ):
                result.status_code = response.status_code
                result.response_body = _start_of_body(response, result)
                if response.is_redirect:
                    result.error = "Redirects are not followed: answer 2xx at this URL."
                if deadline.passed():
                    result.error = no_answer
    except RefusedDestination as error:
        result.error, result.refused = str(error), True
    except requests.Timeout:
        result.error = no_answer
    except requests.RequestException as error:
        # Past the deadline, the error is the shut-down socket's (webhooks.deadline).
        failed = f"Could not connect: {type(error).__name__}."
        result.error = no_answer if deadline.passed() else failed
    result.duration_ms = round((time.monotonic() - started) * 1000)
    return result


def _start_of_body(response: requests.Response, result: Attempt) -> str:
    """The start of the answer's body; an answer that breaks off (urllib3 raises its own
    errors on the raw stream, not requests') makes the attempt a failure."""
    try:
        body = response.raw.read(RESPONSE_KEPT * 4, decode_content=True) or b""
    except urllib3.exceptions.ReadTimeoutError:
        result.error = f"No answer within {settings.WEBHOOK_TIMEOUT} s."
        return ""
    except urllib3.exceptions.HTTPError as error:
        result.error = f"The answer broke off: {type(error).__name__}."
        return ""
    return body.decode("utf-8", "replace")[:RESPONSE_KEPT]
