"""The secrets detector compiles a pattern only for a value that could match it, and answers as the
pattern would.

``is_placeholder``, ``mask`` and ``interpolated`` first look for the text each pattern needs (an
alternative's beginning, an opening, a marker word) and compile the pattern only when it is there.
The reference here is the pattern itself: the old code, written out, over values built from every
alternative of the patterns, separators and arbitrary text (tricky Unicode included).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.policies.secrets import _detect as D

# One value per alternative of _PLACEHOLDER, each a placeholder by the pattern alone.
PLACEHOLDER_ALTERNATIVES = [
    "changeme", "change.me", "change-me", "changeit", "change this", "replace_me", "to-be-replaced",
    "fill-me-in", "fillme", "set_me", "insert_your_key_here", "anything_here", "api_key-here",
    "password", "password2", "passw0rd", "pass", "secret", "token", "apikey", "api_key", "key",
    "sample123", "dummy_value", "fakepass", "test", "testing", "todo", "tbd", "tbc", "none", "null",
    "nil", "undefined", "unset", "empty", "na", "n/a", "redacted", "hidden", "masked",
    "placeholder_1", "your-token", "mypassword1", "my_secret", "db_val", "db_value", "xxxx", "***",
    "....", "----", "____", "###", "00000", "123456", "abcdef", "foo", "foobar2", "bar", "baz",
    "@secret", "@microsoft.keyvault(secreturi=x)", "{password}", "arn:aws:secretsmanager:x",
    "projects/p/secrets/s", "vault:secret/data/x", "secretsmanager:db", "ssm:/db", "kms:alias",
    "sm://x", "azurekeyvault://kv/s", "gcp:x", "gcpsm://x", "awssm:x", "awsssm:/x", "ref+vault://x",
    "op://vault/item", "env:DB_PASSWORD",
]

# One beginning per alternative of _PUBLIC_PREFIX, written out from the pattern (not taken from
# the module's list, which is what is checked).
PUBLIC_ALTERNATIVES = [
    "AKIA", "ASIA", "ABIA", "ACCA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-",
    "gldt-", "glrt-", "glptt-", "glsoat-", "xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-", "sk_live_",
    "rk_live_", "AIza", "eyJ", "SG.", "npm_", "pypi-", "dckr_pat_", "hvs.", "hvb.", "doo_v1_",
    "dop_v1_", "dor_v1_", "sk-ant-", "sk-proj-", "sk-svcacct-", "sk-admin-", "hf_", "dapi", "shpat_",
    "shpca_", "shppa_", "shpss_", "PMAK-", "glc_", "glsa_", "NRAK-", "AGE-SECRET-KEY-",
    "https://hooks.slack.com/services/", "https://hooks.slack.com/", "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----", "-----BEGIN PGP PRIVATE KEY BLOCK-----", "-----BEGIN ",
]
# What makes a value interpolated or marked, written out from _INTERPOLATED and _MARKERS.
OPENINGS = ["${", "$(", "{{", "{%", "%{", "#{", "((", "<%", "[[", "__A__", "__"]
MARKERS = ["example", "EXAMPLE", "changeme", "change_me", "replaceme", "replace_me", "placeholder",
           "redacted", "dummy", "xxxx", "***", "<", ">"]
WORDS = sorted({w for a in PLACEHOLDER_ALTERNATIVES for w in (a, a[:3], a[:5])}
               | set(PUBLIC_ALTERNATIVES) | set(OPENINGS) | set(MARKERS)
               | {"ChangeMe", "DB_PASSWORD", "API_KEY_VALUE", "var.x", "data.a.b", "module.m.o",
                  "aws_s3.b.id", "$HOME", "%APPDATA%", "__NAME__", "<tbd>"})
ALPHABET = "aAzZ09_-.:/@{}$%<>*#~ \t\nſKıİµßÅ"
pieces = st.one_of(st.sampled_from(WORDS), st.text(alphabet=ALPHABET, max_size=4))
values = st.lists(pieces, max_size=5).map("".join)


def old_is_placeholder(value) -> bool:
    """``is_placeholder`` as it was before the gates: every pattern, always."""
    v = str(value).strip().strip("'\"").strip()
    low = v.lower()
    if not v or D._PLACEHOLDER.match(low) or D._INTERPOLATED.search(v) or D._ENV_REF.match(v):
        return True
    if D._MARKERS.search(v) or low.startswith(("example", "changeme", "your")):
        return True
    if D._TF_REF.match(v) or D._RESOURCE_REF.match(v):
        return True
    if D._UPPER_NAME.match(v) and any(w in v for w in ("PASS", "SECRET", "TOKEN", "KEY", "HERE", "VALUE")):
        return True
    return False


def old_public_prefix(value: str) -> str:
    m = D._PUBLIC_PREFIX.match(value)
    return m.group(0) if m else ""


@pytest.mark.parametrize("value", PLACEHOLDER_ALTERNATIVES)
def test_every_alternative_of_the_placeholder_pattern_passes_its_gate(value):
    assert D._PLACEHOLDER.match(value), "the example must be one the pattern matches"
    assert D._placeholder_shaped(value)
    assert D.is_placeholder(value)


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(value=values)
def test_is_placeholder_answers_as_every_pattern_did(value):
    assert D.is_placeholder(value) == old_is_placeholder(value)
    low = value.strip().lower()
    assert D._placeholder_shaped(low) == bool(D._PLACEHOLDER.match(low))
    assert D.interpolated(value) == bool(D._INTERPOLATED.search(value))


def test_no_public_literal_begins_another():
    """What lets public_prefix stop at the first literal it finds, in any order."""
    for a in D._PUBLIC_LITERALS:
        assert not [b for b in D._PUBLIC_LITERALS if b != a and b.startswith(a)]


@pytest.mark.parametrize("value", PUBLIC_ALTERNATIVES + [
    "https://hooks.slack.com/services/T000/B000/XXXX", "-----BEGIN PRIVATE KEY-----\nMII",
    "-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN CERTIFICATE-----"])
def test_each_public_prefix_is_found_as_the_pattern_finds_it(value):
    assert D.public_prefix(value + "Zq8mP2vrT5") == old_public_prefix(value + "Zq8mP2vrT5")


@pytest.mark.parametrize("opening", OPENINGS)
def test_each_opening_makes_a_value_interpolated_as_the_pattern_says(opening):
    for value in (opening, f"a{opening}b", f"pre{opening}x}}}}post"):
        assert D.interpolated(value) == bool(D._INTERPOLATED.search(value))
        assert D.is_placeholder(value) == old_is_placeholder(value)


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(value=values)
def test_public_prefix_and_mask_answer_as_the_pattern_did(value):
    assert D.public_prefix(value) == old_public_prefix(value)
    assert D.mask(value) == ((old_public_prefix(value) + "****") if value else "")
    assert D._dull(value) == (len(set(D._PUBLIC_PREFIX.sub("", value))) <= 4)


def test_a_named_password_is_judged_without_compiling_the_placeholder_pattern(monkeypatch):
    """The point of the gates: a value with none of the text a pattern needs never compiles it."""
    from iaclint.lazyre import LazyPattern

    def refuse(self, name):
        raise AssertionError(f"compiled {self._args[0][:40]!r}")

    for name in ("_PLACEHOLDER", "_INTERPOLATED", "_ENV_REF", "_MARKERS", "_TF_REF", "_RESOURCE_REF",
                 "_UPPER_NAME", "_PUBLIC_PREFIX"):
        monkeypatch.setattr(D, name, LazyPattern(*getattr(D, name)._args))  # a fresh one, not compiled yet
    monkeypatch.setattr(LazyPattern, "__getattr__", refuse)
    assert not D.is_placeholder("Zq8#mP2v!rT5")
    assert D.mask("Zq8#mP2v!rT5") == "****"
    assert D.mask("ghp_R8tY2uI4oP6aS8dF0gH2jK4lZ6xC8vB0nM2q") == "ghp_****"
    with pytest.raises(AssertionError, match="compiled"):
        D.is_placeholder("changeme")
