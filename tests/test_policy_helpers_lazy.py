"""Policy helpers that answer without importing a standard module for the common case (ipaddress
for CIDRs and firewall addresses, urllib.parse for a module source's ``ref``) must answer as that
module would."""

import ipaddress
import sys
from urllib.parse import parse_qs

from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.policies.network._azure_db import ipv4
from iaclint.policies.network._net import is_world
from iaclint.policies.supply_chain.terraform_module_unpinned import _git_ref


def _world_by_ipaddress(cidr) -> bool:
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


ADDRESS = st.one_of(
    st.sampled_from(["0.0.0.0", "::", "0::0", "10.0.0.0", "1.2.3.4", "fe80::1", "0.0.0", "", "x"]),
    st.ip_addresses().map(str),
    st.text(alphabet="0123456789abcdef.:x ", max_size=12),
)
PREFIX = st.one_of(
    st.integers(0, 130).map(str),
    st.sampled_from(["0", "00", "000", "0.0.0.0", "255.255.255.255", "255.0.0.0", "", " 0", "0 ",
                     "-0", "+0", "٠", "1e0", "0/0"]),
    st.text(alphabet="0123456789./ ", max_size=6),
)


@st.composite
def cidrs(draw):
    address = draw(ADDRESS)
    if draw(st.integers(0, 5)) == 0:
        return address
    pad = draw(st.sampled_from(["", " ", "\t", "\n "]))
    return pad + address + "/" + draw(PREFIX) + pad


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.one_of(cidrs(), st.text(max_size=20), st.none(), st.integers()))
def test_is_world_answers_as_ipaddress(cidr):
    assert is_world(cidr) == _world_by_ipaddress(cidr)


def test_is_world_examples():
    assert is_world("0.0.0.0/0") and is_world(" ::/0 ") and is_world("0::0/0") and is_world("10.0.0.0/00")
    assert is_world("0.0.0.0/0.0.0.0")  # a netmask of zero bits
    assert not is_world("0.0.0.0/1") and not is_world("0.0.0.0") and not is_world("nonsense/0")


def _ipv4_by_ipaddress(text: str):
    try:
        return int(ipaddress.IPv4Address(text))
    except ValueError:
        return None


OCTET = st.one_of(st.integers(0, 300).map(str), st.sampled_from(["", "00", "01", "007", "0x1", "1e2", "٣",
                                                                 "²", " 1", "1 ", "+1", "-1", "256", "1000"]),
                  st.text(alphabet="0129x ", max_size=4))


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.one_of(st.lists(OCTET, min_size=1, max_size=6).map(".".join), st.ip_addresses(v=4).map(str),
                 st.text(max_size=16)))
def test_ipv4_reads_an_address_as_ipaddress(text):
    assert ipv4(text) == _ipv4_by_ipaddress(text)


def _ref_by_parse_qs(source: str):
    query = source.split("?", 1)[1] if "?" in source else ""
    values = parse_qs(query).get("ref")
    return values[0] if values else None


QUERY_PIECE = st.sampled_from(["ref", "=", "&", "v1.2.0", "main", "%20", "%3D", "+", "%", "%zz", "re%66",
                               "depth=1", "#frag", "?", "r", "ef", ";", "é"])


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.lists(QUERY_PIECE, max_size=10).map("".join), st.booleans())
def test_git_ref_reads_the_query_as_parse_qs(query, with_mark):
    source = "git::https://example.com/org/repo.git" + ("?" + query if with_mark else query)
    assert _git_ref(source) == _ref_by_parse_qs(source)


def test_git_ref_examples():
    assert _git_ref("git::https://example.com/r.git?ref=v1.2.0") == "v1.2.0"
    assert _git_ref("git::https://example.com/r.git?depth=1&ref=main&ref=v2") == "main"
    assert _git_ref("git::https://example.com/r.git?ref=&ref=v3") == "v3"
    assert _git_ref("git::https://example.com/r.git?ref=a%2Bb+c") == "a+b c"
    assert _git_ref("github.com/org/repo") is None


def test_common_cases_import_neither_module(monkeypatch):
    """A world CIDR, a narrow one and a plain ``?ref=`` are answered without the imports, and
    neither helper module imports them when it is loaded."""
    from iaclint.policies.network import _azure_db, _net, azure_db_allow_azure_services, azure_db_firewall_open
    from iaclint.policies.supply_chain import terraform_module_unpinned
    for module in (_net, terraform_module_unpinned, _azure_db, azure_db_allow_azure_services,
                   azure_db_firewall_open):
        assert not {"ipaddress", "urllib", "parse_qs", "urlsplit"} & set(vars(module)), module.__name__
    monkeypatch.setitem(sys.modules, "ipaddress", None)  # importing it now raises ImportError
    monkeypatch.setitem(sys.modules, "urllib.parse", None)
    assert is_world("0.0.0.0/0") and is_world("::/0") and not is_world("10.0.0.0/16")
    assert not is_world("10.0.0.1") and not is_world("2001:db8::/32")
    assert _git_ref("git::https://e.com/r.git?depth=1&ref=v1") == "v1"
    assert ipv4("0.0.0.0") == 0 and ipv4("223.255.255.255") == 0xDFFFFFFF and ipv4("10.0.0.01") is None
