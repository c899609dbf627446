"""EC2 instance, launch template or launch configuration declares an unencrypted EBS volume.

## Why
Volumes declared with an instance (`root_block_device`, `ebs_block_device`) or in a launch
template's `block_device_mappings` are created unencrypted unless `encrypted = true` is set
(or the account turns on EBS encryption by default, which the code does not show). Their data
and every snapshot of them then sit in clear on AWS storage; see IAC-ENC-001.

An `aws_instance` without a `root_block_device` block is not reported: the AMI's snapshot (and
the account's default) decide the root volume's encryption, and nothing in the code says
otherwise. Volumes created from a `snapshot_id` take the snapshot's encryption and are not
reported either. Instance store (`ephemeral_block_device`) has no such setting.

## Fix
Add `encrypted = true` (and `kms_key_id` for a customer managed key) to every declared volume;
in a launch template, inside `block_device_mappings { ebs { ... } }`.

## Example
```hcl
# bad
resource "aws_instance" "app" {
  root_block_device {
    volume_size = 50
  }
}

# good
resource "aws_instance" "app" {
  root_block_device {
    volume_size = 50
    encrypted   = true
  }
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy


@policy(id="IAC-ENC-003", name="instance-volume-unencrypted", severity=Severity.MEDIUM,
        family="encryption",
        applies_to=("aws_instance", "aws_launch_template", "aws_launch_configuration"),
        equivalents=("CKV_AWS_8", "AVD-AWS-0131", "AVD-AWS-0008"), cwe=311, precision="high")
def instance_volume_unencrypted(resource, options):
    # aws_instance and aws_launch_configuration
    for device in resource.blocks("root_block_device"):
        yield from _check(device, "root_block_device")
    for device in resource.blocks("ebs_block_device"):
        if device.get("snapshot_id") is None:
            yield from _check(device, _named("ebs_block_device", device))
    # aws_launch_template
    for mapping in resource.blocks("block_device_mappings"):
        for ebs in mapping.blocks("ebs"):
            if ebs.get("snapshot_id") is None:
                yield from _check(ebs, _named("block_device_mappings", mapping) + " ebs")


def _check(device, label):
    encrypted = device.get("encrypted")
    if encrypted is None:
        yield device.finding(f"{label} is not encrypted: encrypted is not set and defaults to false")
    elif not (encrypted is True or encrypted == "true"):
        yield device.finding(f"{label} is not encrypted (encrypted = false)", at="encrypted")


def _named(label, device) -> str:
    name = device.get("device_name")
    return f"{label} {name}" if isinstance(name, str) else label
