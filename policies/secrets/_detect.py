"""The secrets detector shared by every secrets policy.

Three signals, strongest first:

1. provider patterns whose shape alone is proof: AWS access key ids, GitHub, GitLab, Slack,
   Stripe, SendGrid, Twilio, npm, PyPI, Docker Hub, Vault, DigitalOcean, OpenAI, Anthropic,
   Hugging Face, Databricks, ... tokens, Google API keys, Azure storage and Service Bus keys in
   connection strings, private key blocks, JWTs, URLs with a password (``scheme://user:pass@``);
2. a secret-looking *name* (``password``, ``DB_PASSWORD``, ``apiKey``, ``client_secret``,
   ``--token``) holding a literal value that is not a placeholder, a reference to where the
   secret lives, a path or a setting;
3. Shannon entropy and character variety, only together with a secret-looking name: a name
   that merely *mentions* a secret word (``token_audience``) needs a value that looks chosen.

Placeholders never count: ``changeme``, ``${...}``, ``$VAR``, ``$(...)``, ``{{ ... }}``,
``<...>``, ``example``, ``xxxx``, ``****``, ``dummy``, ``redacted``, ``your-key-here``,
``var.x`` / ``data.x.y`` / ``module.x.y`` references, Key Vault and secret-store references,
empty values. Nothing here prints a secret: :func:`mask` keeps only a provider's public prefix
(``ghp_``, ``AKIA``) and never the length.
"""

from __future__ import annotations

import functools
import json
import math
import posixpath
import re
from operator import itemgetter

from iaclint.lazyre import LazyPattern, lazy_re
from iaclint.model import Encoded, Record


class Secret(Record):
    """A secret found in a text: ``kind`` is its human name ("AWS access key id", "password",
    ...), ``value`` the matched text (never print it: use ``masked``), ``start`` and ``end`` its
    offsets inside the scanned text. A :class:`~iaclint.model.Record`.
    """

    __slots__ = ()

    def __new__(cls, kind: str, value: str, start: int = 0, end: int = 0):
        return tuple.__new__(cls, (kind, value, start, end))

    kind = property(itemgetter(0))
    value = property(itemgetter(1))
    start = property(itemgetter(2))
    end = property(itemgetter(3))

    @property
    def masked(self) -> str:
        return mask(self.value)

    @property
    def shaped(self) -> bool:
        """Found by a provider pattern (its shape is the proof), not by a name."""
        return self.kind in SHAPE_KINDS


# -- provider patterns -------------------------------------------------------------------------
# (kind, pattern, group holding the secret). Word boundaries keep them from matching inside
# longer tokens; every candidate is still checked against the placeholders below. With the
# needles below, most patterns never run in a scan: each is compiled on first use.
_PATTERNS: list[tuple[str, "LazyPattern", int]] = [
    ("AWS access key id", lazy_re(r"(?<![A-Za-z0-9])((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])"), 1),
    ("AWS secret access key", lazy_re(
        r"(?i)aws_?secret_?(?:access_?)?key[\"']?\s*(?:[:=]\s*|\s+)[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"), 1),
    ("GitHub token", lazy_re(r"(?<![A-Za-z0-9_])((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255})(?![A-Za-z0-9])"), 1),
    ("GitHub fine-grained token", lazy_re(r"(?<![A-Za-z0-9_])(github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])"), 1),
    ("GitLab token", lazy_re(r"(?<![A-Za-z0-9_])((?:glpat|gldt|glrt|glptt|glsoat)-[A-Za-z0-9_\-]{20,})"), 1),
    ("Slack token", lazy_re(r"(?<![A-Za-z0-9])(xox[baprs]-[A-Za-z0-9-]{10,})"), 1),
    ("Slack webhook", lazy_re(
        r"(https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Za-z0-9_]+/[A-Za-z0-9_]+/[A-Za-z0-9_]+)"), 1),
    ("Stripe key", lazy_re(r"(?<![A-Za-z0-9_])((?:sk|rk)_live_[A-Za-z0-9]{16,})(?![A-Za-z0-9])"), 1),
    ("Google API key", lazy_re(r"(?<![A-Za-z0-9_\-])(AIza[0-9A-Za-z_\-]{35})(?![A-Za-z0-9_\-])"), 1),
    ("SendGrid API key", lazy_re(r"(?<![A-Za-z0-9])(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})(?![A-Za-z0-9_\-])"), 1),
    ("Twilio API key", lazy_re(r"(?<![A-Za-z0-9])(SK[0-9a-f]{32})(?![A-Za-z0-9])"), 1),
    ("npm token", lazy_re(r"(?<![A-Za-z0-9_])(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])"), 1),
    ("PyPI token", lazy_re(r"(?<![A-Za-z0-9_])(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})"), 1),
    ("Docker Hub token", lazy_re(r"(?<![A-Za-z0-9_])(dckr_pat_[A-Za-z0-9_\-]{27,})"), 1),
    ("Vault token", lazy_re(r"(?<![A-Za-z0-9_])(hv[sb]\.[A-Za-z0-9_\-]{24,})"), 1),
    ("DigitalOcean token", lazy_re(r"(?<![A-Za-z0-9_])(do[opr]_v1_[a-f0-9]{64})(?![a-f0-9])"), 1),
    ("OpenAI API key", lazy_re(r"(?<![A-Za-z0-9_\-])(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,})"), 1),
    ("Anthropic API key", lazy_re(r"(?<![A-Za-z0-9_\-])(sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{80,})"), 1),
    ("Hugging Face token", lazy_re(r"(?<![A-Za-z0-9_])(hf_[A-Za-z]{34})(?![A-Za-z0-9])"), 1),
    ("Databricks token", lazy_re(r"(?<![A-Za-z0-9_])(dapi[a-f0-9]{32})(?:-\d)?(?![a-f0-9])"), 1),
    ("Shopify token", lazy_re(r"(?<![A-Za-z0-9_])(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})(?![A-Za-z0-9])"), 1),
    ("Postman API key", lazy_re(r"(?<![A-Za-z0-9_])(PMAK-[a-f0-9]{24}-[a-f0-9]{34})"), 1),
    ("Grafana token", lazy_re(r"(?<![A-Za-z0-9_])(gl(?:c|sa)_[A-Za-z0-9_+/=]{32,})"), 1),
    ("New Relic key", lazy_re(r"(?<![A-Za-z0-9_])(NRAK-[A-Z0-9]{27})(?![A-Z0-9])"), 1),
    ("Age secret key", lazy_re(r"(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})"), 1),
    ("Azure AD client secret", lazy_re(r"(?<![A-Za-z0-9_~.\-])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34})(?![A-Za-z0-9_~.\-])"), 1),
    ("Azure storage account key", lazy_re(r"(?i)AccountKey=([A-Za-z0-9+/]{86,88}={0,2})"), 1),
    ("Azure shared access key", lazy_re(r"(?i)SharedAccessKey=([A-Za-z0-9+/]{42,44}={0,2})"), 1),
    ("private key", lazy_re(r"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
                               r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$))"), 1),
    ("JSON web token", lazy_re(r"(?<![A-Za-z0-9_\-])(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"), 1),
    ("password in URL", lazy_re(
        r"(?<![A-Za-z0-9+.\-])([a-zA-Z][a-zA-Z0-9+.\-]{1,20}://([^\s:/@'\"`<>]{1,64}):([^\s@/'\"`<>]{3,128})@[^\s'\"`<>]+)"), 3),
]
SHAPE_KINDS = frozenset(kind for kind, _p, _g in _PATTERNS)

# Text each pattern cannot match without (any one of them; ``lower``: in the lower-cased text).
# A substring test is far cheaper than a regular expression pass, and most texts hold none.
_NEEDLES: dict[str, tuple[tuple[str, ...], bool]] = {
    "AWS access key id": (("AKIA", "ASIA", "ABIA", "ACCA"), False),
    "AWS secret access key": (("awssecret", "aws_secret"), True),
    "GitHub token": (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), False),
    "GitHub fine-grained token": (("github_pat_",), False),
    "GitLab token": (("glpat-", "gldt-", "glrt-", "glptt-", "glsoat-"), False),
    "Slack token": (("xox",), False),
    "Slack webhook": (("https://hooks.slack.com/",), False),
    "Stripe key": (("_live_",), False),
    "Google API key": (("AIza",), False),
    "SendGrid API key": (("SG.",), False),
    "Twilio API key": (("SK",), False),
    "npm token": (("npm_",), False),
    "PyPI token": (("pypi-AgEIcHlwaS5vcmc",), False),
    "Docker Hub token": (("dckr_pat_",), False),
    "Vault token": (("hvs.", "hvb."), False),
    "DigitalOcean token": (("_v1_",), False),
    "OpenAI API key": (("T3BlbkFJ",), False),
    "Anthropic API key": (("sk-ant-",), False),
    "Hugging Face token": (("hf_",), False),
    "Databricks token": (("dapi",), False),
    "Shopify token": (("shpat_", "shpca_", "shppa_", "shpss_"), False),
    "Postman API key": (("PMAK-",), False),
    "Grafana token": (("glc_", "glsa_"), False),
    "New Relic key": (("NRAK-",), False),
    "Age secret key": (("AGE-SECRET-KEY-1",), False),
    "Azure AD client secret": (("Q~",), False),
    "Azure storage account key": (("accountkey=",), True),
    "Azure shared access key": (("sharedaccesskey=",), True),
    "private key": (("PRIVATE KEY",), False),
    "JSON web token": (("eyJ",), False),
    "password in URL": (("://",), False),
}
# What _find_shapes runs through: (kind, pattern, group, needles, lower-case), in pattern order.
_SCANS = [(kind, pattern, group) + _NEEDLES[kind] for kind, pattern, group in _PATTERNS]

# Public, non-secret beginnings that :func:`mask` may show: they say which credential it is.
_PUBLIC_PREFIX = lazy_re(
    r"^(?:AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|soat)-|xox[baprs]-|(?:sk|rk)_live_|"
    r"AIza|eyJ|SG\.|npm_|pypi-|dckr_pat_|hv[sb]\.|do[opr]_v1_|sk-ant-|sk-(?:proj|svcacct|admin)-|hf_|dapi|"
    r"shp(?:at|ca|pa|ss)_|PMAK-|glc_|glsa_|NRAK-|AGE-SECRET-KEY-|https://hooks\.slack\.com/\w+/|"
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)")


# _PUBLIC_PREFIX's literal alternatives, spelled out, and where its two others begin. No literal is
# the beginning of another, so at most one begins a value. A value none of them begins has no
# public prefix, without compiling the pattern (~1 ms, for a scan that masks a named password).
_PUBLIC_LITERALS = (
    "AKIA", "ASIA", "ABIA", "ACCA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    "glpat-", "gldt-", "glrt-", "glptt-", "glsoat-", "xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-",
    "sk_live_", "rk_live_", "AIza", "eyJ", "SG.", "npm_", "pypi-", "dckr_pat_", "hvs.", "hvb.",
    "doo_v1_", "dop_v1_", "dor_v1_", "sk-ant-", "sk-proj-", "sk-svcacct-", "sk-admin-", "hf_",
    "dapi", "shpat_", "shpca_", "shppa_", "shpss_", "PMAK-", "glc_", "glsa_", "NRAK-",
    "AGE-SECRET-KEY-")
_PUBLIC_PATTERNED = ("https://hooks.slack.com/", "-----BEGIN ")


def public_prefix(value: str) -> str:
    """The provider's public beginning of ``value`` (what ``_PUBLIC_PREFIX`` matches), or ``""``."""
    if value.startswith(_PUBLIC_LITERALS):
        return next(p for p in _PUBLIC_LITERALS if value.startswith(p))
    if value.startswith(_PUBLIC_PATTERNED):
        m = _PUBLIC_PREFIX.match(value)
        return m.group(0) if m else ""
    return ""


def mask(value) -> str:
    """``ghp_****``, ``****``: at most the provider's public prefix, never the length."""
    value = str(value)
    if not value:
        return ""
    return public_prefix(value) + "****"


def redact(text: str) -> str:
    """``text`` with every provider-shaped secret in it masked: for messages that quote a URL, a
    command or a source the user wrote (``https://ci:****@gitlab.example.com/...``)."""
    if not isinstance(text, str):
        return text
    out, last = [], 0
    for secret in find_shapes(text):
        out.append(text[last:secret.start])
        out.append(secret.masked)
        last = secret.end
    out.append(text[last:])
    return "".join(out)


def entropy(text: str) -> float:
    if not text:
        return 0.0
    counts: dict[str, int] = {}
    for c in text:
        counts[c] = counts.get(c, 0) + 1
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


# -- placeholders and references ---------------------------------------------------------------
# Matched against the value in lower case: with (?i), compiling it took ~1 ms more (fresh processes).
_PLACEHOLDER = lazy_re(
    r"(?x)^(?:"
    r"|\s+|changeme|change[_\-\s.]?me|changeit|change[_\-\s]?this|replace[_\-\s]?me|to[_\-\s]?be[_\-\s]?replaced|"
    r"fill[_\-\s]?me(?:[_\-\s]?in)?|set[_\-\s]?me|insert[_\-\s]?\w*[_\-\s]?here|\w*[_\-]here|"
    r"password\d?|passw0rd|pass|secret|token|apikey|api[_\-]key|key|"
    r"sample\w*|dummy\w*|fake\w*|test|testing|todo|tbd|tbc|none|null|nil|undefined|unset|empty|n/?a|"
    r"redacted|hidden|masked|placeholder\w*|your[_\-\w]*|my[_\-]?(?:password|secret|token|key|pass)\w*|"
    r"[a-z][a-z0-9_]*_val(?:ue)?|x{3,}|\*{3,}|\.{3,}|-{3,}|_{3,}|\#{3,}|0{4,}|1234\d*|abc\w{0,3}|foo\w*|bar|baz|"
    r"foobar|"
    r"@\w+|@microsoft\.keyvault\(.*\)|\{[^{}]*\}|"
    r"(?:arn|projects|vault|secretsmanager|ssm|kms|sm|azurekeyvault|gcp|gcpsm|awssm|awsssm|ref\+\w+|op|env)[:/].*"
    r")$")
# Text that makes any value a template or a reference, wherever it appears.
_INTERPOLATED = lazy_re(r"\$\{|\$\(|\{\{|\{%|%\{|#\{|\(\(|<%|\[\[|__[A-Za-z]\w*__")
_MARKERS = lazy_re(r"(?i)example|changeme|change_me|replace_?me|placeholder|redacted|dummy|xxxx|\*\*\*|<[^>]*>")
_ENV_REF = lazy_re(r"^\$[A-Za-z_]\w*$|^%[A-Za-z_]\w*%$")
_TF_REF = lazy_re(r"^(?:var|local|data|module|each|count|self|path)\.[\w.\-\[\]\"*]+$")
_RESOURCE_REF = lazy_re(r"^[a-z][a-z0-9_]*\.[a-z0-9_\-]+\.[a-z0-9_.\[\]\"*]+$")
_UPPER_NAME = lazy_re(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


# Each pattern above is compiled only for a value that could match it: compiling them costs a
# scan 2-4 ms (the placeholder pattern alone 1.2-2.5 ms), more than judging every value it finds,
# and most values have none of the text they need. What each one needs, in lower case:
# - _PLACEHOLDER: the beginning of one of its alternatives, or the end of the two that start with
#   any word (``\w*[_\-]here``, ``[a-z][a-z0-9_]*_val(?:ue)?``);
_PLACEHOLDER_STARTS = (
    "change", "replace", "to", "fill", "set", "insert", "pass", "secret", "api", "key", "sample",
    "dummy", "fake", "test", "tb", "no", "nu", "ni", "n/", "na", "un", "empty", "redacted", "hidden",
    "masked", "placeholder", "your", "my", "xxx", "***", "...", "---", "___", "###", "0000", "1234",
    "abc", "foo", "ba", "@", "{", "arn", "projects", "vault", "ssm", "kms", "sm", "azurekeyvault",
    "gcp", "awssm", "awsssm", "ref+", "op", "env")
_PLACEHOLDER_ENDS = ("here", "_val", "_value")
# - _INTERPOLATED: one of its openings; _MARKERS: one of its words or a ``<``;
_INTERPOLATION_OPENINGS = ("${", "$(", "{{", "{%", "%{", "#{", "((", "<%", "[[", "__")
_MARKER_WORDS = ("example", "change", "replace", "placeholder", "redacted", "dummy", "xxxx", "***", "<")
# - _TF_REF: a reference's root and its dot.
_TF_ROOTS = ("var.", "local.", "data.", "module.", "each.", "count.", "self.", "path.")


def interpolated(text: str) -> bool:
    """Whether ``text`` holds a template or a reference (``${...}``, ``{{ }}``, ``__NAME__``...)."""
    return any(o in text for o in _INTERPOLATION_OPENINGS) and _INTERPOLATED.search(text) is not None


def _placeholder_shaped(low: str) -> bool:
    if not low.startswith(_PLACEHOLDER_STARTS) and not low.endswith(_PLACEHOLDER_ENDS) and low[:1].strip():
        return False
    return _PLACEHOLDER.match(low) is not None


def is_placeholder(value: str) -> bool:
    """A value that stands for the secret instead of being it (see the module docstring)."""
    v = str(value).strip().strip("'\"").strip()
    low = v.lower()
    if not v or _placeholder_shaped(low) or interpolated(v) or (v[0] in "$%" and _ENV_REF.match(v)):
        return True
    if any(w in low for w in _MARKER_WORDS) and _MARKERS.search(v):
        return True  # AWS documents its example keys with EXAMPLE inside (AKIAIOSFODNN7EXAMPLE)
    if low.startswith(("example", "changeme", "your")):
        return True
    if v.startswith(_TF_ROOTS) and _TF_REF.match(v):
        return True
    if v.count(".") >= 2 and _RESOURCE_REF.match(v):
        return True
    if any(w in v for w in ("PASS", "SECRET", "TOKEN", "KEY", "HERE", "VALUE")) and _UPPER_NAME.match(v):
        return True  # ``DB_PASSWORD`` standing for itself, filled in at deploy time
    return False


def _dull(secret: str) -> bool:
    """A provider-shaped string whose random part is not random: ``ghp_xxxx...``, ``AKIA0000...``."""
    body = secret[len(public_prefix(secret)):]
    return len(set(body)) <= 4


# -- names -----------------------------------------------------------------------------------
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")

# Words that name a secret on their own, and the two-word names that do.
_SECRET_WORDS = {
    "password": "password", "passwd": "password", "pwd": "password", "passphrase": "passphrase",
    "pass": "password", "passwords": "password", "secret": "secret", "secrets": "secret", "token": "token", "tokens": "token",
    "credential": "credential", "credentials": "credential", "creds": "credential",
    "apikey": "API key", "apitoken": "API token", "authtoken": "auth token", "dsn": "connection string",
    "bearer": "bearer token", "privatekey": "private key", "secretkey": "secret key",
    "accesskey": "access key", "clientsecret": "client secret", "connectionstring": "connection string",
    "connstr": "connection string", "pat": "access token",
}
_SECRET_PAIRS = {
    ("api", "key"): "API key", ("access", "key"): "access key", ("private", "key"): "private key",
    ("secret", "key"): "secret key", ("auth", "key"): "auth key", ("signing", "key"): "signing key",
    ("encryption", "key"): "encryption key", ("master", "key"): "master key",
    ("account", "key"): "account key", ("shared", "key"): "shared key", ("app", "key"): "app key",
    ("storage", "key"): "storage key", ("primary", "key"): "access key", ("secondary", "key"): "access key",
    ("subscription", "key"): "subscription key", ("hmac", "key"): "HMAC key", ("jwt", "key"): "JWT key",
    ("session", "key"): "session key", ("preshared", "key"): "pre-shared key", ("psk", "key"): "pre-shared key", ("license", "key"): "license key", ("sas", "key"): "SAS key",
    ("connection", "string"): "connection string", ("conn", "str"): "connection string",
    ("conn", "string"): "connection string", ("auth", "token"): "auth token", ("api", "token"): "API token",
    ("access", "token"): "access token", ("refresh", "token"): "refresh token", ("id", "token"): "ID token",
    ("client", "secret"): "client secret", ("webhook", "secret"): "webhook secret",
}
# Single lowercase words that end in a secret word: ``dbpassword``, ``authtoken``.
_COMPOUND_SUFFIXES = ("password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey",
                      "secretkey", "privatekey")
# Words after which the secret word is still the thing named (``SECRET_KEY_BASE``, ``password2``).
_QUALIFIERS = frozenset({
    "value", "base", "prod", "production", "dev", "development", "staging", "stage", "test", "live",
    "main", "primary", "secondary", "new", "old", "current", "b64", "base64", "encoded", "raw",
    "string", "str", "plain", "plaintext", "text", "txt", "default", "local", "remote", "root",
    "admin", "master", "user", "db", "app", "api", "key", "data", "pem", "der", "hex", "v1", "v2",
})
# A name whose last word is one of these holds something about the secret, not the secret.
_NOT_SECRET_LAST = frozenset({
    "file", "files", "path", "paths", "dir", "directory", "ref", "refs", "reference", "arn", "arns",
    "id", "ids", "name", "names", "length", "len", "size", "policy", "policies", "version", "versions",
    "enabled", "enable", "disabled", "disable", "required", "require", "rotation", "rotate", "reset",
    "expiry", "expiration", "expires", "expire", "expired", "ttl", "lifetime", "type", "types", "kind",
    "url", "uri", "urls", "endpoint", "endpoints", "header", "headers", "prefix", "suffix", "count",
    "min", "max", "age", "algorithm", "algorithms", "algo", "hash", "hashed", "digest", "kms", "stdin",
    "env", "var", "variable", "command", "cmd", "mode", "format", "method", "strategy", "timeout",
    "duration", "period", "seconds", "secs", "days", "hours", "minutes", "location", "store", "provider",
    "source", "template", "field", "label", "labels", "selector", "regex", "pattern", "hint", "prompt",
    "validity", "complexity", "manager", "mount", "volume", "bucket", "table", "topic", "queue", "role",
    "owner", "group", "scope", "scopes", "audience", "issuer", "usage", "limit", "limits", "lock",
    "locked", "retry", "retries", "attempts", "interval", "schedule", "reuse", "history", "generator",
    "generate", "created", "updated", "exists", "present", "check", "validation", "encrypted",
    "encryption", "authentication", "auth", "login", "username", "user", "config", "configuration",
    "settings", "options", "option", "sha", "sha256", "md5", "bcrypt", "salt", "checksum", "fingerprint",
    "set", "list", "map", "storage", "backend", "parameter", "param", "params",
    "annotation", "property", "resource", "module", "class", "selection", "creation", "output",
})
# A name that starts with one of these is a setting about secrets: ``max_tokens``, ``use_password``.
_NOT_SECRET_FIRST = frozenset({
    "max", "min", "num", "number", "count", "length", "size", "limit", "ttl", "expiry", "no", "disable",
    "disabled", "enable", "enabled", "use", "allow", "require", "required", "has", "is", "show", "hide",
    "reset", "rotate", "rotation", "generate", "create", "forgot", "change", "ask", "skip", "insecure",
    "manage", "managed", "random", "total", "per",
})


def _words(name: str) -> list[str]:
    return [w.lower() for w in _NON_ALNUM.split(_CAMEL.sub("_", name)) if w]


def _name_kind(name: str) -> tuple[str, bool] | None:
    """``(kind, head)`` when ``name`` says it holds a secret; ``head`` when the secret word is the
    thing named (``DB_PASSWORD``) rather than mentioned (``token_audience_prod``)."""
    if not isinstance(name, str) or not name:
        return None
    return _name_kind_of(name)


@functools.lru_cache(maxsize=8192)
def _name_kind_of(name: str) -> tuple[str, bool] | None:
    # Remembered per name: flags, variables and keys repeat (docker-python: 824 calls, 58 names;
    # terraform-aws-eks: 1873 calls, 303 names).
    leaf = name.strip().rsplit("/", 1)[-1].lstrip("-")
    words = _words(leaf)
    if not words or words[-1] in _NOT_SECRET_LAST or words[0] in _NOT_SECRET_FIRST:
        return None
    found = None
    for i, w in enumerate(words):
        kind = None
        if i and (words[i - 1], w) in _SECRET_PAIRS:
            kind = _SECRET_PAIRS[(words[i - 1], w)]
            if kind == "access key" and i > 1 and words[i - 2] == "secret":
                kind = "secret access key"  # AWS_SECRET_ACCESS_KEY
        elif w in _SECRET_WORDS and (w not in ("pass", "pat") or i == len(words) - 1):
            kind = _SECRET_WORDS[w]
        elif len(words) == 1 and w.endswith(_COMPOUND_SUFFIXES) and len(w) > 6:
            kind = next(_SECRET_WORDS.get(s, s) for s in _COMPOUND_SUFFIXES if w.endswith(s))
        if kind is not None:
            found = (kind, i)
    if found is None:
        return None
    kind, i = found
    rest = words[i + 1:]
    head = all(w in _QUALIFIERS or w.isdigit() for w in rest)
    return kind, head


def secret_name(name) -> bool:
    """Whether an attribute, variable, key or flag name says it holds a secret."""
    return _name_kind(name) is not None


# -- values ----------------------------------------------------------------------------------
_SETTING_WORDS = frozenset({
    "true", "false", "yes", "no", "on", "off", "enabled", "disabled", "enable", "disable", "required",
    "optional", "preferred", "auto", "automatic", "default", "none", "always", "never", "strict", "lax",
    "allow", "deny", "allowed", "denied", "manual", "managed", "internal", "external", "random",
    "generated", "rotate", "static", "dynamic", "plain", "plaintext", "basic", "bearer", "digest",
})
_PATHISH = lazy_re(r"^(?:[a-z0-9_.\-]+/)+[a-z0-9_.\-]*$")
_EMAIL = lazy_re(r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$")  # not re.I: it made this 5x slower to compile
_REFERENCE_PREFIXES = ("$", "/", "./", "../", "~", "arn:", "projects/", "http://", "https://", "file:",
                       "s3://", "gs://", "az://", "vault:", "ssm:", "secretsmanager:", "sm://", "ref+",
                       "@Microsoft.KeyVault", "keyvault:", "secretref:", "op://")
_NUMBER = lazy_re(r"^[+-]?\d+(?:\.\d+)?[a-zA-Z]{0,2}$")


def looks_chosen(value: str) -> bool:
    """A literal that looks chosen rather than descriptive: long enough, varied enough."""
    v = value.strip()
    if len(v) < 8 or v.startswith(_REFERENCE_PREFIXES) or " " in v:
        return False
    if re.fullmatch(r"[a-z]+(?:[_\-.][a-z]+)*|[A-Z]+(?:[_\-.][A-Z]+)*", v):  # words and identifiers
        return False
    classes = sum(bool(re.search(p, v)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return classes >= 2 and entropy(v) >= 2.5


def _literal_ok(value: str, head: bool) -> bool:
    """Whether a value under a secret-looking name is a credential rather than a setting, a
    sentence, a path, a number or a reference to where the secret really lives."""
    v = value.strip()
    if len(v) < 6 or any(c.isspace() for c in v) or is_placeholder(v):
        return False
    if v.lower() in _SETTING_WORDS or v.startswith(_REFERENCE_PREFIXES) or _NUMBER.match(v):
        return False
    if _PATHISH.match(v) or _EMAIL.match(v):
        return False
    if not head:
        return looks_chosen(v)
    return entropy(v) >= 2.0


def check_value(name, value) -> Secret | None:
    """A named literal: a provider shape anywhere in it, or a secret name with a credential-like
    literal. Anything but a non-empty string (a number, a bool, an Unknown) is not a secret."""
    if not isinstance(value, str) or not value:
        return None
    hits = find_shapes(value)
    if hits:
        return hits[0]
    named = _name_kind(name) if isinstance(name, str) else None
    if named is None:
        return None
    if named[0] == "connection string" and "=" in value:
        found = assignments(" " + value)  # Server=...;User ID=app;Password=...;
        return found[0] if found else None
    if _literal_ok(value, named[1]):
        return Secret(named[0], value.strip(), 0, len(value))
    return None


def find_shapes(text) -> list[Secret]:
    """Provider-shaped secrets anywhere in ``text``, in order, placeholders left out."""
    if not isinstance(text, str) or len(text) < 8:
        return []
    return list(_find_shapes(text))


@functools.lru_cache(maxsize=8192)
def _find_shapes(text: str) -> tuple[Secret, ...]:
    # Remembered per text: several policies scan the same words (docker-python: 2692 calls,
    # 141 distinct texts), and each call runs 31 patterns.
    found: list[Secret] = []
    lower = text.lower()
    for kind, pattern, group, needles, folded in _SCANS:
        haystack = lower if folded else text
        for needle in needles:  # a loop, not any(): no generator for each of the 31 kinds
            if needle in haystack:
                break
        else:
            continue
        for m in pattern.finditer(text):
            value = m.group(group)
            if kind == "password in URL":
                if m.group(2) == value or is_placeholder(value) or interpolated(m.group(1)):
                    continue  # postgres://postgres:postgres@ is a default, ${PASS} a reference
            elif is_placeholder(value) or _dull(value) or (kind == "JSON web token" and _sample_jwt(value)):
                continue
            elif kind == "private key" and _empty_key(value):
                continue
            if any(s.start <= m.start(group) < s.end for s in found):
                continue
            found.append(Secret(kind, value, m.start(group), m.end(group)))
    return tuple(sorted(found, key=lambda s: s.start))


def scan_text(text) -> list[Secret]:
    """Provider-shaped secrets and ``PASSWORD=...`` style assignments in free text (scripts,
    config files, user data)."""
    found = find_shapes(text)
    if isinstance(text, str):
        found.extend(assignments(text, found))
    return sorted(found, key=lambda s: s.start)


_ASSIGN_RE = lazy_re(
    r"(?im)(?:^|[\s;{,(]|export\s+)[\"']?([A-Za-z_][\w.\-]*)[\"']?[ \t]*(?::|=)[ \t]*[\"']?([^\s\"'`;,)]{6,})")


def assignments(text: str, already: list[Secret] = ()) -> list[Secret]:
    """``PASSWORD=...`` / ``password: ...`` assignments of chosen-looking literals in text."""
    taken = [(s.start, s.end) for s in already]
    out = []
    for m in _ASSIGN_RE.finditer(text):
        name, value = m.group(1), m.group(2)
        if any(a <= m.start(2) < b for a, b in taken):
            continue
        named = _name_kind(name)
        if named is None or is_placeholder(value) or not looks_chosen(value):
            continue
        out.append(Secret(f"{named[0]} ({name})", value, m.start(2), m.end(2)))
    return out


def _sample_jwt(token: str) -> bool:
    """The jwt.io sample token and its kin ("John Doe", sub 1234567890)."""
    import base64  # here: only a JWT-shaped value needs it, and it costs ~1 ms to import
    try:
        part = token.split(".")[1]
        payload = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8", "replace")
    except (ValueError, IndexError):  # binascii.Error is a ValueError
        return False
    return "John Doe" in payload or '"sub":"1234567890"' in payload.replace(" ", "")


def _empty_key(block: str) -> bool:
    body = re.sub(r"-----(?:BEGIN|END)[^-]*-----", "", block)
    body = re.sub(r"\s|\\n", "", body)
    return len(body) < 40 or bool(_MARKERS.search(body)) or _dull(body)


# -- command lines -----------------------------------------------------------------------------
# Programs whose -p takes a password (mysql's attached: -pSECRET; sshpass's -p SECRET).
_MYSQL = frozenset({"mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlshow",
                    "mariadb", "mariadb-dump", "mariadb-admin"})
_LOGIN_TOOLS = frozenset({"docker", "podman", "buildah", "skopeo", "helm", "oras", "crane", "nerdctl"})
_USER_FLAGS = {"curl": ("-u", "--user", "-U", "--proxy-user"), "wget": (), "lftp": ("-u",)}
_HEADER_FLAGS = ("-H", "--header")
_AUTH_HEADER = lazy_re(r"(?i)^\s*(?:proxy-)?authorization\s*:\s*(?:basic|bearer|token|digest)?\s*(\S+)\s*$")
_NAMED_HEADER = lazy_re(r"^\s*([A-Za-z0-9\-_]+)\s*:\s*(\S+)\s*$")


def argv_secrets(argv: list[str]) -> list[Secret]:
    """Credentials given on a command line: ``--password=x``, ``--token x``, ``curl -u user:pass``,
    ``curl -H "Authorization: Bearer x"``, ``mysql -px``, ``sshpass -p x``, ``docker login -p x``,
    ``htpasswd -b file user x``, ``npm config set _authToken x``, plus provider shapes anywhere.

    ``argv`` is one command's words after quote removal, program first. Values that are
    references (``$TOKEN``, ``$(cat /run/secrets/x)``) or placeholders are not credentials.
    """
    out: list[Secret] = []
    if not argv:
        return out
    program = posixpath.basename(argv[0])
    words = argv[1:]

    def add(kind: str, value: str, name: str | None = None, head: bool = True) -> None:
        if value and _literal_ok(value, head) and not any(s.value == value for s in out):
            out.append(Secret(kind if name is None else f"{kind} ({name})", value))

    i = 0
    while i < len(words):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else None
        if word.startswith("--") and len(word) > 2:
            flag, eq, value = word[2:].partition("=")
            named = _name_kind(flag)
            if named is not None:
                if eq:
                    add(named[0], value, "--" + flag, named[1])
                elif nxt is not None and not nxt.startswith("-"):
                    add(named[0], nxt, "--" + flag, named[1])
                    i += 1
            elif flag in ("user", "proxy-user") and program in _USER_FLAGS:
                user_value = value if eq else (nxt or "")
                _user_pass(user_value, add)
                i += 0 if eq else 1
            elif flag == "header" and not eq and nxt is not None:
                _header(nxt, add)
                i += 1
            elif flag == "header" and eq:
                _header(value, add)
        elif word.startswith("-") and len(word) > 3 and word[1].isalpha() and \
                _name_kind(word[1:].partition("=")[0]) is not None:
            # Go-style single-dash long flags: -password=x, -api-token x
            flag, eq, value = word[1:].partition("=")
            named = _name_kind(flag)
            if eq:
                add(named[0], value, "-" + flag, named[1])
            elif nxt is not None and not nxt.startswith("-"):
                add(named[0], nxt, "-" + flag, named[1])
                i += 1
        elif word.startswith("-") and len(word) > 1 and not word.startswith("--"):
            letter, attached = word[1], word[2:]
            if program in _USER_FLAGS and word[:2] in _USER_FLAGS[program]:
                _user_pass(attached or (nxt or ""), add)
                i += 0 if attached else 1
            elif program == "curl" and word == "-H" and nxt is not None:
                _header(nxt, add)
                i += 1
            elif program in _MYSQL and letter == "p" and attached:
                add("password", attached, "mysql -p")
            elif program == "sshpass" and letter == "p":
                add("password", attached or (nxt or ""), "sshpass -p")
                i += 0 if attached else 1
            elif program in _LOGIN_TOOLS and "login" in words[:i] and letter == "p" and len(word) == 2 and nxt:
                add("password", nxt, f"{program} login -p")
                i += 1
        i += 1
    if program == "htpasswd":
        flags = "".join(w[1:] for w in words if w.startswith("-") and not w.startswith("--"))
        positional = [w for w in words if not w.startswith("-")]
        if "b" in flags and len(positional) >= 2:
            add("password", positional[-1], "htpasswd -b")
    if "config" in words and "set" in words:  # npm config set //registry/:_authToken x, aws configure set
        rest = words[words.index("set") + 1:]
        if rest:
            key, eq, value = rest[0].partition("=")
            named = _name_kind(key.rsplit(":", 1)[-1])
            if named is not None:
                add(named[0], value if eq else (rest[1] if len(rest) > 1 else ""), key, named[1])
    for shaped in find_shapes(" ".join(argv)):
        if not any(s.value == shaped.value for s in out):
            out.append(shaped)
    return out


def _user_pass(text: str, add) -> None:
    user, sep, password = text.partition(":")
    if sep and password:
        add("password", password, "user:password")


def _header(text: str, add) -> None:
    m = _AUTH_HEADER.match(text)
    if m:
        add("credential", m.group(1), "Authorization header")
        return
    m = _NAMED_HEADER.match(text)
    if m and secret_name(m.group(1)):
        add(_name_kind(m.group(1))[0], m.group(2), m.group(1) + " header")


# -- structured text ---------------------------------------------------------------------------
def json_value(text):
    """The value of a JSON document, or None when ``text`` is not JSON (a template, say).

    ``jsonencode()`` of a value with parts known only after apply gives its structure: the
    literal secret next to an ECR image URL is still a literal secret.
    """
    if isinstance(text, Encoded):
        return text.value
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
