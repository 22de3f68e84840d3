"""Who the client is: the peer, or what trusted proxies say in X-Forwarded-For."""

from __future__ import annotations

import ipaddress

import pytest

from dashboard import settings
from dashboard.clients import client_address
from dashboard.settings import SettingError


def trusted(*entries: str):
    return tuple(ipaddress.ip_network(entry) for entry in entries)


DEFAULT = trusted(*settings.DEFAULT_TRUSTED_PROXIES)
BEHIND_LOAD_BALANCER = trusted("127.0.0.1", "10.0.0.0/8")


def test_a_peer_that_is_no_trusted_proxy_is_the_client_whatever_it_claims():
    assert client_address("198.51.100.4", ["203.0.113.9"], DEFAULT) == "198.51.100.4"


def test_a_trusted_proxy_is_believed_about_the_address_it_received_from():
    assert client_address("127.0.0.1", ["203.0.113.9"], DEFAULT) == "203.0.113.9"


def test_streamlit_reporting_no_address_means_loopback():
    assert client_address(None, ["203.0.113.9"], DEFAULT) == "203.0.113.9"
    assert client_address(None, [], DEFAULT) == "127.0.0.1"


def test_the_right_most_address_that_is_not_a_trusted_proxy_wins():
    # The client wrote the left part itself; each proxy appended what it saw.
    chain = ["6.6.6.6, 203.0.113.9", "10.1.2.3"]
    assert client_address("127.0.0.1", chain, BEHIND_LOAD_BALANCER) == "203.0.113.9"
    # Without 10.0.0.0/8 listed, the load balancer is where the request came from.
    assert client_address("127.0.0.1", chain, DEFAULT) == "10.1.2.3"


def test_a_chain_of_trusted_proxies_only_names_its_first_hop():
    assert client_address("10.0.0.1", ["10.0.0.9, 10.0.0.5"], BEHIND_LOAD_BALANCER) == "10.0.0.9"


def test_a_trusted_proxy_without_the_header_is_the_client():
    assert client_address("10.0.0.1", [], BEHIND_LOAD_BALANCER) == "10.0.0.1"


def test_no_proxies_trusted_means_the_header_is_never_read():
    assert client_address("127.0.0.1", ["203.0.113.9"], ()) == "127.0.0.1"


@pytest.mark.parametrize(
    ("entry", "client"),
    [
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8:1:2::7]:443", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ('"203.0.113.9"', "203.0.113.9"),
        ("unknown", "unknown"),
        ("x" * 500, "x" * 64),
    ],
    ids=["port", "ipv6 with port", "ipv4-mapped", "quoted", "not an address", "long garbage"],
)
def test_entries_are_read_as_proxies_write_them(entry, client):
    assert client_address("127.0.0.1", [entry], DEFAULT) == client


def test_an_ipv6_client_counts_as_its_whole_slash_64():
    first = client_address("2001:db8:1:2::7", [], DEFAULT)
    assert first == client_address("2001:db8:1:2:ffff::1", [], DEFAULT) == "2001:db8:1:2::/64"
    assert first != client_address("2001:db8:1:3::7", [], DEFAULT)


def write_secrets(tmp_path, monkeypatch, text: str) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text(text)
    monkeypatch.setenv("CATALYST_SECRETS", str(path))
    monkeypatch.delenv("CATALYST_TRUSTED_PROXIES", raising=False)


def test_trusted_proxies_come_from_the_environment_then_secrets_then_loopback(
    tmp_path, monkeypatch
):
    write_secrets(tmp_path, monkeypatch, "[catalyst]\n")
    assert settings.trusted_proxies() == DEFAULT
    write_secrets(
        tmp_path, monkeypatch, '[catalyst]\ntrusted_proxies = ["127.0.0.1", "10.0.0.0/8"]'
    )
    assert settings.trusted_proxies() == BEHIND_LOAD_BALANCER
    monkeypatch.setenv("CATALYST_TRUSTED_PROXIES", " 192.0.2.1, 2001:db8::/32 ")
    assert settings.trusted_proxies() == trusted("192.0.2.1", "2001:db8::/32")
    monkeypatch.setenv("CATALYST_TRUSTED_PROXIES", "")
    assert settings.trusted_proxies() == ()


@pytest.mark.parametrize(
    "text",
    ['trusted_proxies = ["10.0.0.0/8", "proxy.internal"]', 'trusted_proxies = "10.0.0.1"'],
    ids=["a host name", "not a list"],
)
def test_a_trusted_proxy_that_is_no_address_is_refused(tmp_path, monkeypatch, text):
    write_secrets(tmp_path, monkeypatch, f"[catalyst]\n{text}\n")
    with pytest.raises(SettingError, match="trusted_proxies"):
        settings.trusted_proxies()
