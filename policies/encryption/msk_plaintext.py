"""MSK cluster lets Kafka traffic travel in plain text (client_broker PLAINTEXT or TLS_PLAINTEXT,
or in_cluster = false).

## Why
`client_broker = "PLAINTEXT"` (or `"TLS_PLAINTEXT"`, which accepts both) lets producers and
consumers send and read every record in clear across the VPC, along with SASL/SCRAM credentials
where they are used; `in_cluster = false` does the same for replication between brokers.
Anything that can capture packets in the cluster's subnets reads the topics. The defaults are
secure (`client_broker = "TLS"`, `in_cluster = true`), so only values written otherwise are
reported. Data at rest is always encrypted by MSK.

## Fix
Set `client_broker = "TLS"` and `in_cluster = true` (or remove them), and move clients to the TLS
bootstrap brokers (`bootstrap_brokers_tls`, `bootstrap_brokers_sasl_iam`, ...).

## Example
```hcl
# bad
encryption_info {
  encryption_in_transit {
    client_broker = "TLS_PLAINTEXT"
  }
}

# good
encryption_info {
  encryption_in_transit {
    client_broker = "TLS"
    in_cluster    = true
  }
}
```
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._values import hcl, is_false

PLAINTEXT = {"PLAINTEXT": "accepts only plain text", "TLS_PLAINTEXT": "accepts plain text as well as TLS"}


@policy(id="IAC-ENC-030", name="msk-plaintext", severity=Severity.MEDIUM, family="encryption",
        applies_to=("aws_msk_cluster",), equivalents=("CKV_AWS_81", "AVD-AWS-0073"), cwe=319,
        precision="high")
def msk_plaintext(resource, options):
    for info in resource.blocks("encryption_info"):
        for transit in info.blocks("encryption_in_transit"):
            client = transit.get("client_broker")
            if client is not None:
                what = PLAINTEXT.get(str(client).strip().upper())
                if what:
                    yield transit.finding(f"MSK cluster {what} between clients and brokers "
                                          f"(client_broker = {hcl(client)})", at="client_broker")
            in_cluster = transit.get("in_cluster")
            if in_cluster is not None and is_false(in_cluster):
                yield transit.finding("MSK brokers replicate to each other in plain text "
                                      f"(in_cluster = {hcl(in_cluster)})", at="in_cluster")
