"""Which paths the API proxy forwards: only ones that stay under ``{instance_url}/services/``.

The path reaches Django already percent-decoded, so ``%2e%2e`` arrives as ``..`` and is
refused with it. A ``%`` left after decoding means the caller encoded twice; a backslash,
an empty, ``.`` or ``..`` segment, a control character or a scheme (``https:``) is refused
too. When the server passes the raw request line (gunicorn's RAW_URI, uWSGI's REQUEST_URI),
an encoded slash, backslash or dot in it is refused as well: decoding would have hidden it.
"""

import re
from urllib.parse import quote

from .problems import Problem

# RFC 3986 §3.3 pchar minus "%" plus "/": what stays literal in the forwarded path.
SAFE = "/!$&'()*+,;=:@-._~"
RAW_URI_KEYS = ("RAW_URI", "REQUEST_URI")
ENCODED_TRICK = re.compile(r"%(2e|2f|5c|25)", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InvalidProxyPath(Problem):
    status_code = 400
    code = "invalid_path"
    title = "Invalid proxy path"
    default_detail = "The proxy forwards only plain paths under services/."


def _refuse(why: str) -> InvalidProxyPath:
    return InvalidProxyPath(
        f"The proxy forwards only plain paths under services/ ({why}), for example "
        "services/data/v62.0/query?q=SELECT+Id+FROM+Account."
    )


def forwarded_path(path: str, meta: dict) -> str:
    """``path`` (what follows ``proxy/services/``, decoded) percent-encoded for the request
    to Salesforce. Raises InvalidProxyPath (400) for anything that could leave ``services/``
    or mean something else once Salesforce decodes it again."""
    raw = next((meta[key] for key in RAW_URI_KEYS if meta.get(key)), "")
    if ENCODED_TRICK.search(raw.partition("?")[0]):
        raise _refuse("an encoded dot, slash, backslash or percent sign")
    if "\\" in path:
        raise _refuse("a backslash")
    if "%" in path:
        raise _refuse("a percent sign after decoding: double encoding")
    if CONTROL.search(path):
        raise _refuse("a control character")
    segments = path.split("/")
    if ":" in segments[0]:
        raise _refuse("an absolute URL")
    # A trailing slash is fine (``sobjects/``); any other empty segment is not.
    if any(segment in ("", ".", "..") for segment in segments[:-1]) or segments[-1] in (".", ".."):
        raise _refuse("an empty, '.' or '..' segment")
    return quote(path, safe=SAFE)
