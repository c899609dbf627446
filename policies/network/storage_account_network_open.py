"""Azure storage account accepts connections from any network (network rules default to Allow).

## Why
A storage account's endpoints (blob, file, queue, table) answer requests from anywhere unless
its network rules say `default_action = "Deny"`. With the default `Allow`, the account keys, SAS
tokens and Entra ID permissions are the only barrier: a leaked key or an over-broad SAS token
gives the data to anyone on the internet, instead of only to someone who is also inside your
networks. The default applies when no network rules are written at all.

Reported: `network_rules { default_action = "Allow" }` on the account or in an
`azurerm_storage_account_network_rules` resource, and an account with no network rules at all
when no `azurerm_storage_account_network_rules` in the scan refers to it. Accounts with
`public_network_access_enabled = false` have no public endpoint and are not reported.

## Fix
Set `default_action = "Deny"` and allow the networks that need the account with
`virtual_network_subnet_ids` and `ip_rules` (keep `bypass = ["AzureServices"]` for logging and
backup), or turn public network access off and use private endpoints.

## Example
```hcl
# bad
resource "azurerm_storage_account" "data" {
  name                     = "data"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

# good
resource "azurerm_storage_account" "data" {
  name                     = "data"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  network_rules {
    default_action             = "Deny"
    virtual_network_subnet_ids = [azurerm_subnet.app.id]
    bypass                     = ["AzureServices"]
  }
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._net import as_bool, as_text

ACCOUNT = "azurerm_storage_account"
RULES = "azurerm_storage_account_network_rules"


@policy(id="IAC-NET-018", name="storage-account-network-open", severity=Severity.MEDIUM,
        family="network", applies_to=(ACCOUNT, RULES),
        equivalents=("CKV_AZURE_35", "AVD-AZU-0012"), cwe=284, scope="project", precision="medium")
def storage_account_network_open(project, options):
    for account in project.of_type(ACCOUNT):
        yield from project.guarded(_account(project, account), account)
    for rules in project.of_type(RULES):
        yield from project.guarded(_standalone(project, rules), rules)


def _private(account) -> bool:
    return as_bool(account.get("public_network_access_enabled")) is False


def _account(project, account):
    if _private(account):
        return
    blocks = account.blocks("network_rules")
    if blocks:
        yield from _default_action(blocks[0])
        return
    if project.referrers(account, RULES):
        return  # the standalone rules decide, and are judged on their own
    yield account.finding("the storage account has no network rules: it accepts connections from any "
                          "network (the default action is Allow)")


def _standalone(project, rules):
    accounts = project.references(rules, ACCOUNT)
    if accounts and all(_private(a) for a in accounts):
        return
    yield from _default_action(rules)


def _default_action(node):
    if as_text(node.get("default_action")) == "allow":
        yield node.finding('default_action = "Allow": the storage account accepts connections from any '
                           "network", at="default_action")
