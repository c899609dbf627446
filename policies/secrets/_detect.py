"""The secrets detector shared by every secrets policy.

Three signals, strongest first:
1. provider patterns whose shape alone is proof (AWS access key ids, GitHub/GitLab/Slack/Stripe
   tokens, Google API keys, private key blocks, JWTs, URLs with a password);
2. a secret-looking *name* (password, token, secret_key, ...) holding a literal value that is
   not a placeholder and is not a reference to a secret store;
3. high Shannon entropy, only together with a secret-looking name.

Placeholders (``changeme``, ``${...}``, ``<...>``, ``example``, ``xxxx``, ``****``, empty) never
count. Nothing here prints a secret: :func:`mask` keeps at most the first four characters.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Secret:
    kind: str      # human name: "AWS access key id", "password", ...
    value: str     # the matched secret text (never print it: use masked)
    start: int = 0  # offset inside the scanned text
    end: int = 0

    @property
    def masked(self) -> str:
        return mask(self.value)


PATTERNS: list[tuple[str, re.Pattern]] = [
    ("AWS access key id", re.compile(r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b")),
    ("AWS secret access key", re.compile(
        r"(?i)aws_?secret_?(?:access_?)?key[\"']?\s*(?:[:=]\s*|\s+)[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])")),
    ("GitHub token", re.compile(r"\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255})\b")),
    ("GitHub fine-grained token", re.compile(r"\b(github_pat_[A-Za-z0-9_]{82})\b")),
    ("GitLab token", re.compile(r"\b(glpat-[A-Za-z0-9_\-]{20,})\b")),
    ("Slack token", re.compile(r"\b(xox[baprs]-[A-Za-z0-9-]{10,})\b")),
    ("Slack webhook", re.compile(r"(https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+)")),
    ("Stripe key", re.compile(r"\b((?:sk|rk)_live_[A-Za-z0-9]{16,})\b")),
    ("Google API key", re.compile(r"\b(AIza[0-9A-Za-z_\-]{35})\b")),
    ("private key", re.compile(r"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
                               r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$))")),
    ("JSON web token", re.compile(r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})")),
    ("password in URL", re.compile(r"\b([a-z][a-z0-9+.-]{1,20}://[^\s:/@'\"]{1,64}:([^\s@/'\"]{3,128})@[^\s'\"]+)", re.I)),
]

SECRET_NAME = re.compile(
    r"(?i)(?:^|[_\-.\s])?(pass(?:word|wd|phrase)?|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|"
    r"private[_\-]?key|client[_\-]?secret|credentials?|auth[_\-]?key|signing[_\-]?key|encryption[_\-]?key|"
    r"master[_\-]?key|connection[_\-]?string|conn[_\-]?str|dsn|bearer)(?:$|[_\-.\s])?")

# Names that contain a secret word but hold no secret: policies, paths, sizes, flags, references.
NOT_SECRET_NAME = re.compile(
    r"(?i)(?:_?(?:file|path|dir|ref|arn|id|name|length|size|policy|version|enabled|required|rotation|"
    r"reset|expir\w*|ttl|type|url|uri|endpoint|header|prefix|count|min|max|age|hash_?algorithm|"
    r"secret_?name|key_?name|key_?id|kms\w*)$)|^(?:token_?endpoint|password_?policy)$")

PLACEHOLDER = re.compile(
    r"(?ix)^(?:"
    r"|\s+|changeme|change[_\-\s]?me|changeit|password|passw0rd|secret|example\w*|\w*example|sample|dummy|"
    r"fake\w*|test|testing|todo|tbd|none|null|nil|undefined|redacted|placeholder|your[_\-\w]*|my[_\-]?[\w\-]*|[A-Z][A-Z0-9_]*_VAL(?:UE)?|"
    r"x{3,}|\*{3,}|\.{3,}|-{3,}|0{4,}|1234\d*|abc\w{0,3}|foo\w*|bar|foobar|"
    r"\$\{.*\}|\$\(.*\)|\$[A-Za-z_]\w*|%\{.*\}|\{\{.*\}\}|<[^>]*>|\[[^\]]*\]|@\w+|"
    r"(?:arn|projects|vault|secretsmanager|ssm|kms|sm|azurekeyvault|gcp)[:/].*"
    r")$")


def mask(value: str) -> str:
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value) if value else ""
    return value[:4] + "*" * min(len(value) - 4, 12)


def entropy(text: str) -> float:
    if not text:
        return 0.0
    counts: dict[str, int] = {}
    for c in text:
        counts[c] = counts.get(c, 0) + 1
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def is_placeholder(value: str) -> bool:
    v = value.strip().strip("'\"")
    # AWS documents its example credentials with EXAMPLE inside (AKIAIOSFODNN7EXAMPLE).
    return bool(PLACEHOLDER.match(v)) or v.lower().startswith(("example", "changeme")) or "EXAMPLE" in v


def secret_name(name: str) -> bool:
    """Whether an attribute, variable or key name says it holds a secret."""
    if not isinstance(name, str) or not name:
        return False
    leaf = re.split(r"[./]", name)[-1]
    return bool(SECRET_NAME.search(leaf)) and not NOT_SECRET_NAME.search(leaf)


def scan_text(text: str) -> list[Secret]:
    """Provider-shaped secrets anywhere in free text (user data, scripts, config files)."""
    if not isinstance(text, str) or len(text) < 8:
        return []
    found: list[Secret] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            value = m.group(2) if kind == "password in URL" else m.group(1)
            if is_placeholder(value) or "EXAMPLE" in value:
                continue
            found.append(Secret(kind, value, m.start(1), m.end(1)))
    found.extend(_assignments(text, found))
    return sorted(found, key=lambda s: s.start)


_ASSIGN_RE = re.compile(
    r"(?im)(?:^|[\s;{,(]|export\s+)[\"']?([A-Za-z_][\w.\-]*)[\"']?\s*(?::|=|\s--?\w*\s)\s*[\"']?([^\s\"'`;,)]{6,})")


def _assignments(text: str, already: list[Secret]) -> list[Secret]:
    """``PASSWORD=...`` style assignments in scripts and config text."""
    taken = [(s.start, s.end) for s in already]
    out = []
    for m in _ASSIGN_RE.finditer(text):
        name, value = m.group(1), m.group(2)
        if not secret_name(name) or any(a <= m.start(2) < b for a, b in taken):
            continue
        if is_placeholder(value) or not _strong(value):
            continue
        out.append(Secret(f"{name} value", value, m.start(2), m.end(2)))
    return out


def _strong(value: str) -> bool:
    """A literal that looks chosen rather than descriptive: long enough, varied enough."""
    if len(value) < 8 or value.startswith(("$", "/", "./", "{{", "%")):
        return False
    if re.fullmatch(r"[a-z]+(?:[_\-][a-z]+)*", value):  # a plain word or identifier-like phrase
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return classes >= 2 and entropy(value) >= 2.5


def check_value(name: str, value) -> Secret | None:
    """A named literal: a provider pattern anywhere, or a secret name with a strong literal."""
    if not isinstance(value, str) or not value:
        return None
    hits = [s for s in scan_text(value) if not s.kind.endswith(" value")]
    if hits:
        return hits[0]
    if secret_name(name) and not is_placeholder(value) and _named_literal_ok(value):
        return Secret(_kind_from_name(name), value, 0, len(value))
    return None


def _named_literal_ok(value: str) -> bool:
    # A value under a secret name only has to look like a real credential, not a sentence, path,
    # boolean or a reference to where the secret really lives.
    v = value.strip()
    if len(v) < 6 or " " in v.strip() or v.lower() in ("true", "false", "yes", "no"):
        return False
    if v.startswith(("$", "/", "./", "~", "{{", "%{", "arn:", "projects/", "http://", "https://")):
        return False
    return entropy(v) >= 2.0


def _kind_from_name(name: str) -> str:
    m = SECRET_NAME.search(re.split(r"[./]", name)[-1])
    word = (m.group(1) if m else "secret").lower().replace("-", "_")
    return {"pwd": "password", "passwd": "password", "pass": "password"}.get(word, word.replace("_", " "))
