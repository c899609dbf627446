"""EC2 instance, launch template or launch configuration declares an unencrypted EBS volume.

## Why
Volumes declared with an instance (`root_block_device`, `ebs_block_device`) or in a launch
template's `block_device_mappings` are created unencrypted unless `encrypted = true` is set
(or the account turns on EBS encryption by default, which the code does not show). Their data
and every snapshot of them then sit in clear on AWS storage; see IAC-ENC-001.

An `aws_instance` or `aws_launch_configuration` without a `root_block_device` block is
reported at its header: its root volume is made from the AMI's snapshot, unencrypted for every
public AMI (AWS does not allow public AMIs with encrypted snapshots), exactly as with a
`root_block_device` that leaves `encrypted` unset. An instance that names a `launch_template` is
not reported for that: the template's `block_device_mappings` apply, and the template is checked
on its own. A launch template without `block_device_mappings` is not reported either: instances
launched from it may still declare their volumes. Volumes created from a `snapshot_id` take the
snapshot's encryption and are not reported. Instance store (`ephemeral_block_device`) has no such
setting. Accounts that turn on EBS encryption by default encrypt these volumes anyway; as with
IAC-ENC-001, say `encrypted = true` in the code, where reviewers can see it.

## Fix
Add `encrypted = true` (and `kms_key_id` for a customer managed key) to every declared volume;
in a launch template, inside `block_device_mappings { ebs { ... } }`. Declare the root volume of
instances and launch configurations too: `root_block_device { encrypted = true }`.

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


# Resources that create a root volume from their AMI when no root_block_device says otherwise.
WITH_ROOT_VOLUME = ("aws_instance", "aws_launch_configuration")


@policy(id="IAC-ENC-003", name="instance-volume-unencrypted", severity=Severity.MEDIUM,
        family="encryption", applies_to=WITH_ROOT_VOLUME + ("aws_launch_template",), scope="project",
        equivalents=("CKV_AWS_8", "AVD-AWS-0131", "AVD-AWS-0008"), cwe=311, precision="high")
def instance_volume_unencrypted(project, options):
    for resource in project.of_type(*WITH_ROOT_VOLUME):
        yield from project.guarded(_root_volume_undeclared(resource), resource)
    for resource in project.of_type(*WITH_ROOT_VOLUME, "aws_launch_template"):
        yield from project.guarded(_declared_volumes(resource), resource)


def _root_volume_undeclared(resource):
    if resource.blocks("root_block_device") or resource.get("launch_template") is not None:
        return
    yield resource.finding("root volume encryption is not declared: without a root_block_device with "
                           "encrypted = true it follows the AMI's snapshot (unencrypted for every public AMI)")


def _declared_volumes(resource):
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
