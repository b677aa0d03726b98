"""The display form of a warehouse URL: the one form printed, logged or stored (runs, state files)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["redact_url"]

_SECRET_PARAMS = {"password", "sslpassword", "passfile", "sslkey"}
_HIDDEN = "***"


def redact_url(url: str) -> str:
    """`url` without its password (userinfo or query parameter); anything unparsable shows only its scheme."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return url.split("://", 1)[0] + "://" + _HIDDEN if "://" in url else _HIDDEN
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if parts.password is None and not any(k.lower() in _SECRET_PARAMS for k, _ in pairs):
        return url  # nothing secret: shown as given (a DuckDB path, a URL without a password)
    netloc = host if ":" not in host else f"[{host}]"
    netloc += f":{port}" if port else ""
    if parts.username is not None:
        netloc = f"{parts.username}{':' + _HIDDEN if parts.password is not None else ''}@{netloc}"
    query = [(k, _HIDDEN if k.lower() in _SECRET_PARAMS else v) for k, v in pairs]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*/"), parts.fragment))
