"""The secrets detector shared by the secrets policies: what counts as a credential, what is a
placeholder, and that a mask never shows more than a provider's public prefix."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.policies.secrets import _detect
from iaclint.policies.secrets._detect import argv_secrets, check_value, find_shapes, is_placeholder, mask, scan_text

CREDENTIALS = [
    ("DB_PASSWORD", "Zq8#mP2v!rT5", "password"),
    ("spring.datasource.password", "Zq8#mP2v!rT5", "password"),
    ("apiKey", "Ak9f8e7d6c5b4a3928", "API key"),
    ("AWS_SECRET_ACCESS_KEY", "b7Xq2Lk9Vw3Rt5Zp8Nm1Hc4Gd6Fj0Sa2Ye7Ui9Oo", "secret access key"),
    ("SECRET_KEY_BASE", "a8f7e6d5c4b3a2918f7e6d5c4b3a2", "secret key"),
    ("anything", "AKIAQZ4TW7KX2M5RB3NV", "AWS access key id"),
    ("anything", "ghp_R8tY2uI4oP6aS8dF0gH2jK4lZ6xC8vB0nM2q", "GitHub token"),
    ("anything", "glpat-Xw4k9Zt2Lm8Qp5Rv7Ny3", "GitLab token"),
    ("anything", "xoxb-2048-4096-Zx9Yw8Vu7Ts6", "Slack token"),
    ("anything", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Stripe key"),
    ("anything", "AIzaSyD3fake7Qm2kP9xL4vB8nR1tY6uW0eZ5cH", "Google API key"),
    ("anything", "npm_Qx7Lr2Vb9Kd4Zt6Wm3Hs8Jp5Fy1Nc0Ga2UeR", "npm token"),
    ("anything", "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", "SendGrid API key"),
    ("DATABASE_URL", "postgres://orders:s3cr3tPassw0rd@db.internal:5432/orders", "password in URL"),
    ("conn", "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=" + "Ab1+" * 21 + "Ab==;", "Azure storage account key"),
    ("connection_string", "Server=tcp:sql;Database=d;User ID=app;Password=Zq8!vR2#kLw9;", "password (Password)"),
]

NOT_CREDENTIALS = [
    ("DB_PASSWORD", "changeme"), ("DB_PASSWORD", "${DB_PASSWORD}"), ("DB_PASSWORD", "$DB_PASSWORD"),
    ("DB_PASSWORD", "$(DB_PASSWORD)"), ("DB_PASSWORD", "{{ .Values.db.password }}"), ("DB_PASSWORD", "<db-password>"),
    ("DB_PASSWORD", "xxxxxxxx"), ("DB_PASSWORD", "********"), ("DB_PASSWORD", "REDACTED"), ("DB_PASSWORD", "dummy-pass"),
    ("DB_PASSWORD", "var.db_password"), ("DB_PASSWORD", "data.aws_ssm_parameter.db.value"), ("DB_PASSWORD", ""),
    ("DB_PASSWORD", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db/)"),
    ("DB_PASSWORD_FILE", "/run/secrets/db"), ("DB_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:1:secret:db"),
    ("PASSWORD_MIN_LENGTH", "12"), ("TOKEN_TTL_SECONDS", "3600"), ("http_tokens", "required"),
    ("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"), ("max_tokens", "4096"), ("API_KEY_HEADER", "X-Api-Key"),
    ("bypass_proxy", "Zq8#mP2v!rT5"), ("token_audience", "sts.amazonaws.com"), ("GPG_KEY", "A035C8C19219BA821ECE"),
    ("anything", "AKIAIOSFODNN7EXAMPLE"), ("anything", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("DATABASE_URL", "postgres://postgres:postgres@localhost:5432/app"),
    ("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db:5432/app"),
]


@pytest.mark.parametrize("name,value,kind", CREDENTIALS)
def test_credentials_are_found(name, value, kind):
    secret = check_value(name, value)
    assert secret is not None and secret.kind == kind


@pytest.mark.parametrize("name,value", NOT_CREDENTIALS)
def test_placeholders_references_and_settings_are_not(name, value):
    assert check_value(name, value) is None


@pytest.mark.parametrize("value,masked", [
    ("ghp_R8tY2uI4oP6aS8dF0gH2jK4lZ6xC8vB0nM2q", "ghp_****"), ("AKIAQZ4TW7KX2M5RB3NV", "AKIA****"),
    ("Zq8#mP2v!rT5", "****"), ("abc", "****"), ("", ""),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7Vx9kHq3Lm2pT\n-----END RSA PRIVATE KEY-----",
     "-----BEGIN RSA PRIVATE KEY-----****"),
])
def test_mask_keeps_only_a_public_prefix(value, masked):
    assert mask(value) == masked


@pytest.mark.parametrize("argv,found", [
    (["curl", "-fsSL", "-u", "deploy:Dpl0y-Pa55!x", "https://x"], "Dpl0y-Pa55!x"),
    (["curl", "-H", "Authorization: Bearer 9f8e7d6c5b4a39281706", "https://x"], "9f8e7d6c5b4a39281706"),
    (["mysql", "-uroot", "-pR00t-My5ql!"], "R00t-My5ql!"),
    (["app", "--db-password=Hx7pq2Lm9Z"], "Hx7pq2Lm9Z"),
    (["app", "-api-key", "Ak-9f8e7d6c5b4a"], "Ak-9f8e7d6c5b4a"),
    (["docker", "login", "-u", "ci", "-p", "Hx7pq2Lm9Z", "registry.example.com"], "Hx7pq2Lm9Z"),
    (["htpasswd", "-bc", "/etc/nginx/.htpasswd", "admin", "Ht-Pa55w0rd"], "Ht-Pa55w0rd"),
])
def test_command_line_credentials(argv, found):
    assert [s.value for s in argv_secrets(argv)] == [found]


@pytest.mark.parametrize("argv", [
    ["curl", "-u", "deploy:$DEPLOY_PASSWORD", "https://x"], ["docker", "login", "--password-stdin", "-u", "ci"],
    ["app", "--password-file", "/etc/app/password"], ["app", "--max-tokens", "4096"], ["psql", "-p", "5432"],
    ["chromium", "--password-store=basic"], ["app", "--db-password=$(DB_PASSWORD)"],
])
def test_command_line_references_are_not(argv):
    assert argv_secrets(argv) == []


def test_scripts_find_assignments_but_not_prose():
    found = scan_text("#!/bin/bash\nexport DB_PASSWORD=Zq8vR2kLw9xT\nexport AWS_DEFAULT_REGION=eu-west-1\n"
                      "echo 'min_password_length=12' >> /etc/app.conf\n")
    assert [s.value for s in found] == ["Zq8vR2kLw9xT"]


def test_shapes_skip_documented_samples():
    sample_jwt = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
                  "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
    assert find_shapes(sample_jwt) == []
    assert find_shapes("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----") == []
    assert is_placeholder("your-api-key-here") and is_placeholder("__DbPassword__")


# One text each provider pattern matches: the needle table that lets a text skip a pattern must
# never skip one that matches (checked on these and on every line of hypothesis' texts).
SHAPE_SAMPLES = [
    "AKIAQWERTYUIOPASDFGH", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ghp_" + "a" * 36, "github_pat_" + "a" * 82, "glpat-" + "a" * 20, "xoxb-1234567890-abc",
    "https://hooks.slack.com/services/T000/B000/XXXX", "sk_live_" + "a1" * 8, "AIza" + "a" * 35,
    "SG." + "a" * 22 + "." + "b" * 43, "SK" + "0" * 32, "npm_" + "a" * 36, "pypi-AgEIcHlwaS5vcmc" + "a" * 50,
    "dckr_pat_" + "a" * 27, "hvs." + "a" * 24, "dop_v1_" + "a" * 64, "sk-" + "a" * 20 + "T3BlbkFJ" + "b" * 20,
    "sk-ant-api03-" + "a" * 80, "hf_" + "a" * 34, "dapi" + "a" * 32, "shpat_" + "a" * 32,
    "PMAK-" + "a" * 24 + "-" + "b" * 34, "glc_" + "a" * 32, "NRAK-" + "A" * 27, "AGE-SECRET-KEY-1" + "Q" * 58,
    "abc1Q~" + "a" * 32, "AccountKey=" + "a" * 88, "SharedAccessKey=" + "a" * 43 + "=",
    "-----BEGIN RSA PRIVATE KEY-----\n" + "x" * 60 + "\n-----END RSA PRIVATE KEY-----",
    "eyJabcdefghij.eyJabcdefghij.abcdefghij", "postgres://user:s3cretPw@db:5432/x",
]


def _needles_miss(text: str) -> list[str]:
    missed = []
    for kind, pattern, _group in _detect._PATTERNS:
        needles, folded = _detect._NEEDLES[kind]
        haystack = text.lower() if folded else text
        if pattern.search(text) and not any(n in haystack for n in needles):
            missed.append(kind)
    return missed


def test_every_provider_pattern_has_needles_it_cannot_match_without():
    matched = {kind for text in SHAPE_SAMPLES for kind, p, _g in _detect._PATTERNS if p.search(text)}
    assert matched == {kind for kind, _p, _g in _detect._PATTERNS}  # a sample for every pattern
    for text in SHAPE_SAMPLES + [t.upper() for t in SHAPE_SAMPLES] + [t.lower() for t in SHAPE_SAMPLES]:
        assert not _needles_miss(text), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SHAPE_SAMPLES + [" ", "\n", "x", "=", ":", "@", "/", "~"]), max_size=6).map("".join),
       st.sampled_from([str, str.lower, str.upper, str.swapcase]))
def test_needles_never_hide_a_match(text, case):
    assert not _needles_miss(case(text))
