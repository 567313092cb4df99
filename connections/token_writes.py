"""Writing again the tokens Salesforce has just issued, after a database error lost the write.

Until they are committed, new tokens exist only in memory: a rotated refresh token's
predecessor is already dead at Salesforce, and an authorization code can't be exchanged twice.
So a failover, a dropped connection or a lock timeout at that moment must not lose them.
Reference: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_refresh_token_flow_ca.htm
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError
from django.db import connection as db
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The database or the connection to it failed, not the data: worth writing again.
RETRIED = (OperationalError, InterfaceError)
# Seconds to keep trying; the first wait and the longest one.
RETRY_FOR = 30.0
FIRST_WAIT = 0.1
LONGEST_WAIT = 5.0


def consequence(provider) -> str:
    """What losing new tokens means for a connection of ``provider`` (a Provider), in the
    CRITICAL log line: for a rotating provider, the words operators have matched since before
    providers existed ("Salesforce has already replaced ...")."""
    if provider.policies.refresh_token_rotates:
        return (
            f"{provider.label} has already replaced the stored refresh token; the connection "
            "will need a new sign-in."
        )
    return (
        f"{provider.label} keeps a replaced refresh token valid: a stored one still works, "
        "otherwise the connection will need a new sign-in."
    )


def write_again(write: Callable[[], T], what: str, lost: str) -> T:
    """Call ``write`` (which opens its own transaction and writes the tokens held in memory)
    until it commits: each attempt on a fresh database connection, with exponential backoff
    from FIRST_WAIT to LONGEST_WAIT seconds, for up to RETRY_FOR seconds.

    ``what`` names the tokens in the log (e.g. "connection 12"; never a secret); ``lost`` is
    what losing them means (``consequence(provider)``). Returns what
    ``write`` returns. Raises the last database error (OperationalError or InterfaceError)
    after logging at CRITICAL that the tokens are lost; other errors are raised at once.
    """
    logger.error("Writing the new tokens of %s failed; writing them again", what)

    def attempt() -> T:
        # Outside a transaction (the caller's own rolled back), a broken connection is dropped
        # and the next query opens a new one.
        if not db.in_atomic_block:
            db.close()
        return write()

    retrying = Retrying(
        retry=retry_if_exception_type(RETRIED),
        stop=stop_after_delay(RETRY_FOR),
        wait=wait_exponential(multiplier=FIRST_WAIT, max=LONGEST_WAIT),
        before_sleep=lambda state: _log_retry(state, what),
        reraise=True,
    )
    try:
        return retrying(attempt)
    except RETRIED as error:
        logger.critical(
            "The new tokens of %s are LOST: the database refused them for %.0f s (%s). %s",
            what,
            RETRY_FOR,
            type(error).__name__,
            lost,
        )
        raise


def _log_retry(state: RetryCallState, what: str) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.warning(
        "Writing the new tokens of %s failed again (attempt %s, %s); next try in %.1f s",
        what,
        state.attempt_number,
        type(error).__name__,
        state.upcoming_sleep,
    )
