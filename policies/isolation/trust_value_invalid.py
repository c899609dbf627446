"""A trust marker names no tier, so it is ignored.

## Why
`iaclint.io/trust` (label or annotation) and the Terraform tag `iaclint:trust` (GCP label
`iaclint-trust`) hold a workload to its tier's isolation floor. A value that is not `standard`,
`sensitive` or `untrusted` (a typo such as `untrustd`, or `high`) names no tier: the marker is
ignored and the workload is treated as if it had none, which silently lifts the floor someone
meant to set.

## Fix
Use one of `standard`, `sensitive`, `untrusted` (case does not matter).

## Example
```yaml
# bad
labels:
  iaclint.io/trust: untrustd
# good
labels:
  iaclint.io/trust: untrusted
```
"""

from iaclint.model import Severity, Unknown
from iaclint.registry import policy

from ._levels import TERRAFORM_TYPES, TIERS, tier_value, trust_markers


@policy(id="IAC-ISO-045", name="trust-value-invalid", severity=Severity.MEDIUM, family="isolation",
        applies_to=("k8s:workload", "Namespace") + TERRAFORM_TYPES, precision="very-high")
def trust_value_invalid(resource, options):
    for path, value in trust_markers(resource):
        if isinstance(value, Unknown) or tier_value(value) is not None:
            continue
        if isinstance(value, (dict, list)):
            continue  # a tag map that cannot be read: not a marker value
        yield resource.finding(f"{path[-1]} = {value!r} names no tier ({', '.join(TIERS)}): the marker is ignored",
                               at=path)
