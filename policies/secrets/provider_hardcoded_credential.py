"""Access key, token or password written into a Terraform provider block.

## Why
Provider credentials are usually the most powerful secrets in a repository: the AWS keys,
Azure client secret or API token that Terraform itself uses can create, read and destroy
everything the pipeline manages. Written into a `.tf` file they are in every clone, fork and
CI log, and in the Git history after they are "removed"; rotating them means finding every copy.

Checked: every argument of the provider blocks listed in `applies_to` (AWS, Azure, Google,
GitHub, GitLab, Kubernetes, Helm, Vault, Datadog, Cloudflare, ... ), including nested blocks
(`assume_role`, `app_auth`, `registry_auth`), by argument name (`access_key`, `secret_key`,
`token`, `password`, `client_secret`, `api_key`, ...) and by the value's own shape (an AWS key
id, a GitHub token, a private key anywhere). `credentials` and `*_file` arguments may hold a
path, so only a credential's shape counts there. Values from variables are reported at the
variable's default (IAC-SEC-011), once; references to a secret store, environment variables
and placeholders are not reported. Messages show at most a provider's public prefix.

## Fix
Remove the value and rotate it. Let the provider read its credentials from the environment
(`AWS_ACCESS_KEY_ID`, `ARM_CLIENT_SECRET`, `GITHUB_TOKEN`, ...), a profile, an instance or
workload identity, or OIDC federation from CI; never from the code.

## Example
```hcl
# bad
provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAQZ4TW7KX2M5RB3NV"
  secret_key = "b7Xq2Lk9Vw3Rt5Zp8Nm1Hc4Gd6Fj0Sa2Ye7Ui9Oo"
}

# good: credentials come from the environment or an assumed role
provider "aws" {
  region = "eu-west-1"
  assume_role {
    role_arn = "arn:aws:iam::123456789012:role/terraform"
  }
}
```
"""

from __future__ import annotations

from iaclint.model import Severity, iter_values
from iaclint.registry import policy

from ._tf import INPUT_TYPES, Origins, dotted, value_secret, written_at

PROVIDERS = (
    "aws", "awscc", "azurerm", "azuread", "azuredevops", "google", "google-beta", "github", "gitlab",
    "bitbucket", "kubernetes", "helm", "kubectl", "vault", "consul", "nomad", "tfe", "datadog",
    "newrelic", "pagerduty", "opsgenie", "cloudflare", "digitalocean", "linode", "hcloud", "vultr",
    "scaleway", "oci", "openstack", "ncloud", "panos", "fortios", "vsphere", "nsxt", "alicloud",
    "tencentcloud", "huaweicloud", "ibm", "heroku", "fastly", "auth0", "okta", "mongodbatlas",
    "snowflake", "postgresql", "mysql", "rabbitmq", "grafana", "sentry", "launchdarkly", "spotinst",
    "confluent", "elasticstack", "artifactory", "docker", "sumologic", "splunk", "rancher2",
    "keycloak", "harbor", "minio", "cloudinit", "http",
)
# Arguments that may name a file or hold the whole JSON key file: only a credential's shape counts.
_SHAPES_ONLY = frozenset({"credentials", "config_path", "config_paths", "shared_credentials_files",
                          "shared_config_files", "pem_file", "client_certificate_path"})


@policy(id="IAC-SEC-001", name="provider-hardcoded-credential", severity=Severity.CRITICAL,
        family="secrets", applies_to=tuple(f"provider.{p}" for p in PROVIDERS) + INPUT_TYPES,
        equivalents=("CKV_AWS_41", "CKV_LIN_1", "CKV_OCI_1", "CKV_OPENSTACK_1", "CKV_PAN_1", "CKV_NCP_17"),
        cwe=798, scope="project", precision="high")
def provider_hardcoded_credential(project, options):
    origins = Origins.of(project)
    for provider in project.of_type(*(f"provider.{p}" for p in PROVIDERS)):
        yield from project.guarded(_check(provider, origins), provider)


def _check(provider, origins):
    for path, value in iter_values(provider.value):
        keys = [p for p in path if isinstance(p, str)]
        if not keys or keys[0] == "alias":
            continue
        found = value_secret(value, keys[-1], origins, written_at(provider, path),
                             shapes_only=keys[-1] in _SHAPES_ONLY or keys[-1].endswith("_file"),
                             node=provider, attribute=keys[0])
        if found is not None:
            secret, note = found
            yield provider.finding(f"hard-coded {secret.kind} in provider argument {dotted(path)}: "
                                   f"{secret.masked}{note}", at=path)
