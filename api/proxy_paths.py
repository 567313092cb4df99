"""Which paths the API proxy forwards: only ones that stay under ``{instance_url}/services/``.

The path reaches Django already percent-decoded, so ``%2e%2e`` arrives as ``..`` and is
refused with it (an overlong or otherwise broken UTF-8 sequence such as ``%c0%ae`` stays
percent-encoded, and ``%u002e`` isn't decoded at all, so both keep a ``%``). A ``%`` left
after decoding means the caller encoded twice; a backslash, a control character or a scheme
(``https:``) is refused too, and so is a segment made of dots, spaces or nothing. Servers in
the Tomcat/Jetty style drop a segment's ``;`` parameters before resolving dot segments
(``..;x`` is ``..``), and some normalize Unicode compatibility characters (a full-width dot,
U+FF0E, is ``.``), so a segment is judged by its NFKC form without its parameters. When
the server passes the raw request line (gunicorn's RAW_URI, uWSGI's REQUEST_URI), an encoded
slash, backslash, dot, semicolon or percent sign in it is refused as well: decoding would
have hidden it.
Reference: https://www.rfc-editor.org/rfc/rfc3986#section-3.3,
https://www.rfc-editor.org/rfc/rfc3986#section-5.2.4
"""

import re
import unicodedata
from urllib.parse import quote

from .problems import Problem

# RFC 3986 §3.3 pchar minus "%" and "@" plus "/": what stays literal in the forwarded path.
# "@" goes encoded so no parser downstream can read what precedes it as userinfo.
SAFE = "/!$&'()*+,;=:-._~"
RAW_URI_KEYS = ("RAW_URI", "REQUEST_URI")
ENCODED_TRICK = re.compile(r"%(2e|2f|5c|25|3b)", re.IGNORECASE)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class InvalidProxyPath(Problem):
    status_code = 400
    code = "invalid_path"
    title = "Invalid proxy path"
    default_detail = "The proxy forwards only plain paths under services/."


# An example path per proxy prefix (connections.providers: ``proxy_prefix``), for errors.
EXAMPLES = {
    "services/": "services/data/v62.0/query?q=SELECT+Id+FROM+Account",
    "api/data/": "api/data/v9.2/accounts?$top=3",
}


def _refuse(why: str, prefix: str = "services/") -> InvalidProxyPath:
    example = EXAMPLES.get(prefix, prefix)
    return InvalidProxyPath(
        f"The proxy forwards only plain paths under {prefix} ({why}), for example {example}."
    )


def _is_dot_segment(segment: str) -> bool:
    """Empty, ``.``, ``..`` or the like once ``;`` parameters are dropped (``..;x``) and
    spaces or trailing dots are trimmed, as some servers do."""
    return not segment.partition(";")[0].strip(" .")


def _check(path: str, prefix: str) -> None:
    if "\\" in path:
        raise _refuse("a backslash", prefix)
    if "%" in path:
        raise _refuse("a percent sign after decoding: double encoding", prefix)
    if CONTROL.search(path):
        raise _refuse("a control character", prefix)
    segments = path.split("/")
    if ":" in segments[0]:
        raise _refuse("an absolute URL", prefix)
    # A trailing slash is fine (``sobjects/``); any other empty segment is not.
    last = segments[-1]
    if any(map(_is_dot_segment, segments[:-1])) or (last and _is_dot_segment(last)):
        raise _refuse("an empty, '.' or '..' segment", prefix)


def forwarded_path(path: str, meta: dict, prefix: str = "services/") -> str:
    """``path`` (what follows ``proxy/<prefix>``, decoded) percent-encoded for the request
    to the provider. Raises InvalidProxyPath (400) for anything that could leave ``prefix``
    (``services/``, ``api/data/``) or mean something else once the provider decodes it
    again."""
    raw = next((meta[key] for key in RAW_URI_KEYS if meta.get(key)), "")
    if ENCODED_TRICK.search(raw.partition("?")[0]):
        raise _refuse("an encoded dot, slash, backslash, semicolon or percent sign", prefix)
    _check(path, prefix)
    _check(unicodedata.normalize("NFKC", path), prefix)
    return quote(path, safe=SAFE)
