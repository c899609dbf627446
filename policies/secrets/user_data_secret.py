"""Credential in a virtual machine's boot script: EC2 user data, Azure custom data, GCE startup scripts.

## Why
User data, custom data and instance metadata are not secret stores. On AWS anyone allowed
`ec2:DescribeInstanceAttribute` or `ec2:DescribeLaunchTemplateVersions` reads user data in
clear, and every process on the instance can fetch it from the metadata service; on Azure,
custom data is kept in the VM model and readable from the instance; on Google Cloud, metadata
(`startup-script`, `user-data`) is readable by anyone with `compute.instances.get` and by every
process on the VM. All of it is copied into images, launch template versions, Terraform state
and often console logs. A key or password written there leaks far beyond the machine.

Checked: `user_data` / `user_data_base64` of EC2 instances, launch templates, launch
configurations, spot requests and Lightsail instances; `custom_data` / `user_data` of Azure
virtual machines and scale sets (also in `os_profile`); `metadata_startup_script` and the
`metadata` of GCE instances and instance templates (script keys like `startup-script` are
scanned as scripts, other keys are judged by name). Base64 and gzip are decoded. Reported:
provider credentials (AWS keys, GitHub, GitLab, Slack, Stripe tokens, private keys, JWTs,
passwords in URLs) and `PASSWORD=...` style assignments of chosen-looking literals. Scripts
built by `templatefile()` or `file()` cannot be read statically and are not checked; a secret
whose literal is a variable default is reported at that default (IAC-SEC-011).

## Fix
Remove the secret and rotate it. Give the machine an identity instead of keys (an EC2 instance
profile, an Azure managed identity, a GCE service account), and have the boot script fetch
other secrets at run time from Secrets Manager / SSM Parameter Store, Key Vault or Secret
Manager.

## Example
```hcl
# bad
user_data = <<-EOT
  #!/bin/bash
  export DB_PASSWORD=Zq8vR2kLw9xT
EOT

# good
user_data = <<-EOT
  #!/bin/bash
  export DB_PASSWORD="$(aws ssm get-parameter --name /app/db --with-decryption \\
    --query Parameter.Value --output text)"
EOT
```
"""

from __future__ import annotations

from iaclint.lazyre import lazy_re
from iaclint.model import Severity
from iaclint.registry import policy

from ._detect import check_value, scan_text
from ._tf import COMPUTED_NOTE, INPUT_TYPES, Origins, holders

_AWS = ("user_data", "user_data_base64")
_AZURE = ("custom_data", "user_data")
_GCE = (("metadata_startup_script", "script"), ("metadata", "metadata"))
SOURCES = {
    "aws_instance": _AWS, "aws_launch_template": ("user_data",), "aws_launch_configuration": _AWS,
    "aws_spot_instance_request": _AWS, "aws_spot_fleet_request": ("launch_specification.user_data",),
    "aws_lightsail_instance": ("user_data",),
    "azurerm_linux_virtual_machine": _AZURE, "azurerm_windows_virtual_machine": _AZURE,
    "azurerm_linux_virtual_machine_scale_set": _AZURE, "azurerm_windows_virtual_machine_scale_set": _AZURE,
    "azurerm_orchestrated_virtual_machine_scale_set": ("user_data_base64", "os_profile.custom_data"),
    "azurerm_virtual_machine": ("os_profile.custom_data",),
    "azurerm_virtual_machine_scale_set": ("os_profile.custom_data",),
    "google_compute_instance": _GCE, "google_compute_instance_template": _GCE,
    "google_compute_region_instance_template": _GCE,
}
# GCE metadata keys whose value is a script run at boot (or cloud-init user data).
SCRIPT_KEYS = frozenset({
    "startup-script", "user-data", "shutdown-script", "startup-script-ps1", "windows-startup-script-ps1",
    "windows-startup-script-cmd", "windows-startup-script-bat", "sysprep-specialize-script-ps1",
    "sysprep-specialize-script-cmd", "windows-shutdown-script-ps1",
})
_MAX_DECODED = 1 << 20
_BASE64 = lazy_re(r"^[A-Za-z0-9+/\s]+=*\s*$")


@policy(id="IAC-SEC-004", name="user-data-secret", severity=Severity.HIGH, family="secrets",
        applies_to=tuple(SOURCES) + INPUT_TYPES,
        equivalents=("CKV_AWS_46", "AVD-AWS-0029", "AVD-AWS-0129", "CKV_AZURE_45", "AVD-AZU-0037"),
        cwe=798, scope="project", precision="high")
def user_data_secret(project, options):
    origins = Origins.of(project)
    for resource in project.of_type(*SOURCES):
        yield from project.guarded(_check(resource, origins), resource)


def _check(resource, origins):
    for source in SOURCES[resource.type]:
        path, how = source if isinstance(source, tuple) else (source, "script")
        for holder, attribute in holders(resource, path):
            value = holder.get(attribute)
            written = holder.written_here(attribute)
            if how == "metadata":
                if isinstance(value, dict):
                    for key, item in value.items():
                        if str(key) in SCRIPT_KEYS:
                            found = _script_secrets(item)
                        else:
                            one = check_value(str(key), item)
                            found = [one] if one is not None else []
                        yield from _report(holder, attribute, f'metadata["{key}"]', found, written, origins)
                continue
            yield from _report(holder, attribute, path, _script_secrets(value), written, origins)


def _report(holder, attribute, where, found, written, origins):
    if not written:
        found = [s for s in found if not origins.reported_elsewhere(s, holder, attribute)]
    if not found:
        return
    first, *rest = found
    more = f" (and {len(rest)} more)" if rest else ""
    note = "" if written else COMPUTED_NOTE
    yield holder.finding(f"{where} contains a hard-coded {first.kind}: {first.masked}{more}{note}",
                         at=attribute)


def _script_secrets(value) -> list:
    """The secrets of a boot script, read as written and, when it is base64 (optionally gzip),
    decoded."""
    if not isinstance(value, str) or not value:
        return []
    found = {}
    for candidate in (value, _decoded(value)):
        for secret in scan_text(candidate or ""):
            found.setdefault(secret.value, secret)
    return list(found.values())


def _decoded(text: str) -> str | None:
    """The text behind base64 (optionally gzip-compressed) user data, or None."""
    compact = "".join(text.split())
    if len(compact) < 12 or len(compact) % 4 or not _BASE64.match(text):
        return None
    import base64  # here: most user data is a plain script, and base64 and zlib cost ~1 ms to import
    import zlib
    try:
        data = base64.b64decode(compact, validate=True)
    except ValueError:  # binascii.Error is a ValueError
        return None
    if data[:2] == b"\x1f\x8b":
        try:  # bounded: a small gzip bomb must not become gigabytes
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, _MAX_DECODED)
        except zlib.error:
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
