"""Who is asking: the client a sign-in attempt is counted against (accounts/throttling.py).

The client is the address that connected, unless that address is a trusted proxy
(settings.trusted_proxies): then it is the right-most ``X-Forwarded-For`` entry that is
not a trusted proxy. Each proxy appends the address it received the request from, so
entries to the right were written by proxies we trust and everything to the left of
the client's entry may be made up by the client. No Streamlit here: ui.py and the
tests hand in the peer and the header values.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from dashboard.settings import Network

# Streamlit reports no address for a loopback peer (st.context.ip_address is None).
LOOPBACK = "127.0.0.1"

# One IPv6 subscriber usually holds a whole /64: counting single addresses would give
# an attacker 2**64 fresh clients.
IPV6_CLIENT_PREFIX = 64

_MAX_CLIENT = 64  # characters kept of an entry that is not an address


def client_address(
    peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[Network]
) -> str:
    """The client's key for throttling: an IPv4 address, an IPv6 /64, or (for an entry a
    trusted proxy passed on that is no address) that entry, shortened."""
    peer = peer or LOOPBACK
    if not _trusted(peer, trusted):
        return _key(peer)
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        host = _host(hop)
        if not _trusted(host, trusted):
            return _key(host)
    # Every hop is a trusted proxy: the left-most one is where the request began.
    return _key(_host(hops[0])) if hops else _key(peer)


def _host(hop: str) -> str:
    """The address in an X-Forwarded-For entry: without a port, brackets or quotes."""
    hop = hop.strip().strip('"')
    if hop.startswith("["):  # [2001:db8::1]:443
        return hop[1:].split("]", 1)[0]
    if hop.count(":") == 1:  # 192.0.2.7:51234
        return hop.split(":", 1)[0]
    return hop


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(host: str, trusted: Sequence[Network]) -> bool:
    address = _address(host)
    return address is not None and any(address in network for network in trusted)


def _key(host: str) -> str:
    address = _address(host)
    if address is None:
        return host[:_MAX_CLIENT]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)
