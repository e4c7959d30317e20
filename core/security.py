"""Web-security plumbing in one place (docs/security.md): the client's address behind trusted proxies, the public
address every absolute link is built from, and the start-up checks of both."""
import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


# --- the client's address ------------------------------------------------------------------------------------------
def parse_networks(values) -> tuple:
    """CIDRs or single addresses → networks; ValueError names the bad entry."""
    nets = []
    for v in values:
        v = str(v).strip()
        if not v:
            continue
        try:
            nets.append(ipaddress.ip_network(v, strict=False))
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {v!r} is not an IP address or CIDR") from None
    return tuple(nets)


@lru_cache(maxsize=8)
def _trusted(values: tuple) -> tuple:
    return parse_networks(values)


def _is_trusted(addr: str) -> bool:
    nets = _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in n for n in nets)


def _valid(addr: str) -> str | None:
    try:
        return str(ipaddress.ip_address(addr.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of the client: REMOTE_ADDR, unless that peer is a trusted proxy; then X-Forwarded-For read from
    the right, skipping trusted proxies, up to the first address no trusted proxy vouches for.

    Anyone can send X-Forwarded-For: believing it from an untrusted peer would let a client choose its own address
    (rate limits bypassed, forged addresses in the audit trail, django-axes lockouts dodged)."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not remote or not _is_trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    client = remote
    for hop in reversed(hops):
        addr = _valid(hop)
        if addr is None:
            break  # garbage from beyond the trusted chain: keep the last address a trusted proxy vouched for
        client = addr
        if not _is_trusted(addr):
            break
    return client


# --- the public address --------------------------------------------------------------------------------------------
def public_url(path: str, request=None) -> str:
    """The absolute address of `path` as people outside reach it (QR codes, links in messages and PDFs).

    PUBLIC_BASE_URL when set (required in production, checked at start-up); in development without it, the address
    the request came in on, else the first allowed host on the development server's port."""
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if not base:
        if request is not None:
            return request.build_absolute_uri(path)
        host = next((h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"), "127.0.0.1")
        base = f"http://{host}:8000"
    return base + (path if path.startswith("/") else "/" + path)


@checks.register(checks.Tags.security, deploy=False)
def check_public_base_url(app_configs=None, **kwargs):
    from django.http.request import validate_host

    base = getattr(settings, "PUBLIC_BASE_URL", "") or ""
    if not base:
        if settings.DEBUG:
            return []
        return [checks.Error("PUBLIC_BASE_URL is required when DEBUG is off: QR codes and links are built from it.",
                             hint="e.g. PUBLIC_BASE_URL=https://phongdich.kontum.gov.vn", id="phongdich.E101")]
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return [checks.Error(f"PUBLIC_BASE_URL {base!r} is not an absolute http(s) address.", id="phongdich.E102")]
    errors = []
    if not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        errors.append(checks.Error(
            f"PUBLIC_BASE_URL's host {parts.hostname!r} is not in ALLOWED_HOSTS: every QR code and link would lead "
            "to a page that refuses them.", hint="Add it to ALLOWED_HOSTS or correct PUBLIC_BASE_URL.", id="phongdich.E103"))
    if not settings.DEBUG and parts.scheme != "https":
        errors.append(checks.Warning("PUBLIC_BASE_URL is not https: links in QR codes would be sent in clear.",
                                     id="phongdich.W104"))
    return errors


@checks.register(checks.Tags.security)
def check_trusted_proxies(app_configs=None, **kwargs):
    try:
        parse_networks(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    except ValueError as exc:
        return [checks.Error(str(exc), id="phongdich.E105")]
    return []
