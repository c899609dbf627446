"""Dockerfile COPY or ADD puts a credential file into the image (SSH or TLS private key, .env, .netrc, ...).

## Why
Every file copied into a stage is in a layer of the image, and a later `RUN rm` does not remove
it from the earlier layer: anyone who can pull the image extracts it with `docker save`. An SSH
key copied in to clone private repositories, a `.env` with production settings or a
`.git-credentials` file is handed to everyone with access to the registry, the build cache or a
developer laptop.

Reported: `COPY` and `ADD` sources or destinations whose file name is a credential by
convention: SSH private keys (`id_rsa`, `id_ed25519`, ...; `.pub` files are public), `*.key`,
`*.p12`, `*.pfx`, `*.jks`, `*.keystore`, `*.ppk`, `.env` files (not `.env.example`,
`.env.sample`, `.env.template`), `.netrc`, `.git-credentials`, `.pypirc`, `.pgpass`, AWS
`credentials`, Docker `config.json` under `.docker/`, kubeconfig files, the `.ssh` directory, and
files named for a secret (`secret.txt`, `secrets.json`, `credentials.yaml`, `api_key.txt`,
`service-account.json`).
The decision is by name, not content (precision medium): a `*.key` can be a public test
fixture. Files copied from an earlier stage count too, since they end up in this stage.

## Fix
Do not copy credentials into the image. For build-time access use BuildKit secret and SSH
mounts (`RUN --mount=type=secret,id=netrc ...`, `RUN --mount=type=ssh git clone ...`); give
run-time secrets to the container through the orchestrator (Kubernetes Secrets, ECS secrets).
Add the files to `.dockerignore`, and rotate any credential that was in a pushed image.

## Example
```dockerfile
# bad
COPY id_rsa /root/.ssh/id_rsa
RUN git clone git@github.com:acme/private.git && rm /root/.ssh/id_rsa

# good
RUN --mount=type=ssh git clone git@github.com:acme/private.git
```
"""

from __future__ import annotations

import posixpath
import re

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

_SECRET_FILE = lazy_re(
    r"(?i)^(?:id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?|[\w.\-]+\.(?:key|p12|pfx|jks|keystore|ppk)|"
    r"\.env(?:\.(?!example$|sample$|template$|dist$|defaults?$|test$|ci$)[\w\-]+)?|"
    r"\.netrc|_netrc|\.git-credentials|\.pypirc|\.pgpass|credentials|kubeconfig|\.ssh)$")
# Files named for what they hold: secret.txt, secrets.json, credentials.yaml, api_key.txt, ...
_NAMED = lazy_re(r"(?i)^(?:secrets?|passwords?|tokens?|credentials|creds|api[_\-]?keys?|private[_\-]?key|"
                    r"service[_\-]?account(?:[_\-]key)?|sa[_\-]key)\.(?:txt|json|ya?ml|ini|conf|cfg|properties|env)$")
_PUBLIC = lazy_re(r"(?i)\.pub$|^(?:ca|public|pub)[\w.\-]*\.key$")


def _secret_file(path: str) -> str | None:
    """Why ``path`` names a credential file, or None."""
    clean = path.strip().strip("\"'").rstrip("/")
    base = posixpath.basename(clean)
    if not base or "$" in base or _PUBLIC.search(base):
        return None
    if base == "config.json" and posixpath.basename(posixpath.dirname(clean)) == ".docker":
        return "a Docker registry credentials file"
    if base == "config" and posixpath.basename(posixpath.dirname(clean)) == ".kube":
        return "a kubeconfig"
    if base == "credentials" and posixpath.basename(posixpath.dirname(clean)) not in (".aws", "aws"):
        return None  # only the AWS shared credentials file is known by that name
    if _NAMED.match(base):
        return "a file named for the secret it holds"
    if _SECRET_FILE.match(base):
        return "an SSH or TLS private key" if re.search(r"(?i)^id_|\.(?:key|p12|pfx|jks|keystore|ppk)$", base) \
            else "a credentials file"
    return None


@policy(id="IAC-SEC-016", name="dockerfile-copies-secret-file", severity=Severity.HIGH, family="secrets",
        applies_to=("dockerfile:stage",), equivalents=("AVD-DS-0031",), cwe=538, precision="medium")
def dockerfile_copies_secret_file(resource, options):
    for i, inst in enumerate(resource.get("instructions") or ()):
        if inst.get("cmd") not in ("COPY", "ADD") or inst.get("heredocs"):
            continue
        if inst.get("json"):
            words = [str(w) for w in inst.get("argv") or ()]
        else:
            words = (inst.get("args") or "").split()
        if len(words) < 2:
            continue
        for word in words:
            if "://" in word:
                continue
            why = _secret_file(word)
            if why is not None:
                yield resource.finding(f"{inst['cmd']} puts {word} ({why}) into the image: every layer keeps "
                                       "it; use a BuildKit secret or SSH mount instead", at=("instructions", i))
                break
