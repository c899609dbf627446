"""Azure services that accept connections from any network: one table, one policy per service
(Key Vault, Container Registry, Cosmos DB, Cache for Redis).

Every row is "public network access is on (the provider's default) and the service's own network
rules let every address in". Only `public_network_access_enabled = false` removes the public
endpoint: a private endpoint adds a private address beside it and leaves it open (Redis is the
exception noted in its row). The storage account row of this family is IAC-NET-018.
"""

from __future__ import annotations

from bisect import bisect_left

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

from ._net import as_bool, as_text, world_cidrs

TYPE_CHECKING = False  # as typing.TYPE_CHECKING: importing typing costs ~2 ms of every run
if TYPE_CHECKING:
    from typing import Callable

PUBLIC = "public_network_access_enabled"


class OpenService:
    """One row of the table (a plain class, as ``encryption/_flags.Flag``: rows are only read)."""

    __slots__ = ("id", "name", "type", "judge", "doc", "equivalents", "also", "scope", "precision",
                 "severity")

    def __init__(self, id: str, name: str, type: str, judge: Callable, doc: str,
                 equivalents: tuple = (), also: tuple = (), scope: str = "resource",
                 precision: str = "high", severity: Severity = Severity.MEDIUM):
        self.id, self.name = id, name
        self.type = type    # the service's resource type
        self.judge = judge  # (resource, project) -> findings, public access aside
        self.doc, self.equivalents = doc, equivalents
        self.also = also    # other types a project-scope row reads
        self.scope, self.precision, self.severity = scope, precision, severity


def check(resource, row: OpenService, project=None):
    """The row's findings, unless public network access is off.

    Either side can settle it alone: `public_network_access_enabled = false` needs no rules, and
    rules that keep the internet out need no public-access value. Only when the rules let
    everyone in does an Unknown public-access value stop the check.
    """
    unknown = None
    try:
        if as_bool(resource.get(PUBLIC)) is False:
            return
    except UnknownValue as exc:
        unknown = exc
    findings = list(row.judge(resource, project))
    if findings and unknown is not None:
        raise unknown
    yield from findings


def unrestricted(resource, subject: str, why: str):
    """Nothing restricts the public endpoint: at an explicit `public_network_access_enabled`,
    else at the resource header (the setting is on by default)."""
    if resource.get(PUBLIC) is not None:
        return resource.finding(f"{subject} accepts connections from any network: {PUBLIC} = true "
                                f"and {why}", at=PUBLIC)
    return resource.finding(f"{subject} accepts connections from any network: public network access "
                            f"is on by default and {why}")


def world_rule(node, key: str, subject: str):
    """A finding when the allow-list at ``key`` holds a CIDR that matches every address."""
    world = world_cidrs(node.get(key))
    if world:
        return node.finding(f"{key} includes {', '.join(world)}, which matches every address: the "
                            f"{subject} accepts connections from any network", at=key)
    return None


# -- Key Vault ------------------------------------------------------------------------------------
def key_vault(vault, _project):
    acls = vault.blocks("network_acls")
    if not acls:
        yield unrestricted(vault, "Key Vault", 'there is no network_acls block, so the default action is '
                                               '"Allow"')
        return
    acl = acls[0]
    action = as_text(acl.get("default_action"))
    if action == "allow":
        yield acl.finding('network_acls default_action = "Allow": the Key Vault accepts connections from '
                          'any network (ip_rules and virtual_network_subnet_ids only narrow access under '
                          '"Deny")', at="default_action")
    elif action == "deny":
        found = world_rule(acl, "ip_rules", "Key Vault")
        if found is not None:
            yield found


# -- Container Registry ---------------------------------------------------------------------------
def container_registry(registry, _project):
    rule_sets = registry.blocks("network_rule_set")
    if not rule_sets:
        why = 'there is no network_rule_set, so the default action is "Allow"'
        sku = registry.get("sku")
        if isinstance(sku, str) and sku.strip().lower() in ("basic", "standard"):
            why += f' (network rules and private endpoints need the Premium SKU; sku = "{sku.strip()}")'
        yield unrestricted(registry, "Container registry", why)
        return
    rules = rule_sets[0]
    action = rules.get("default_action")
    if action is None:
        yield rules.finding('network_rule_set has no default_action, which defaults to "Allow": the '
                            "container registry accepts connections from any network")
        return
    action = as_text(action)
    if action == "allow":
        yield rules.finding('network_rule_set default_action = "Allow": the container registry accepts '
                            "connections from any network (ip_rule blocks only narrow access under "
                            '"Deny")', at="default_action")
    elif action == "deny":
        for ip_rule in rules.blocks("ip_rule"):
            found = world_rule(ip_rule, "ip_range", "container registry")
            if found is not None:
                yield found


# -- Cosmos DB ------------------------------------------------------------------------------------
def cosmosdb_account(account, _project):
    entries = _ip_filter(account.get("ip_range_filter"))
    if entries:
        found = world_rule(account, "ip_range_filter", "Cosmos DB account")
        if found is not None:
            yield found
        return  # the IP firewall applies whether or not virtual network filtering is on
    vnet_filter = account.get("is_virtual_network_filter_enabled")
    if as_bool(vnet_filter) is True:
        return  # only the listed subnets (none, if there are no rules) and private endpoints
    if account.get("ip_range_filter") is not None:
        yield account.finding("ip_range_filter is empty and virtual network filtering is off: the "
                              "Cosmos DB account accepts connections from any network", at="ip_range_filter")
    elif vnet_filter is not None and account.blocks("virtual_network_rule"):
        yield account.finding("is_virtual_network_filter_enabled = false, so the virtual_network_rule "
                              "blocks are not enforced, and there is no ip_range_filter: the Cosmos DB "
                              "account accepts connections from any network",
                              at="is_virtual_network_filter_enabled")
    else:
        yield unrestricted(account, "Cosmos DB account", "neither an ip_range_filter nor virtual network "
                                                         "filtering restricts it")


def _ip_filter(value) -> list:
    """The entries of `ip_range_filter`: a set of strings (azurerm 4) or one comma-separated string
    (azurerm 3 and older); an empty string or list is no filter."""
    if isinstance(value, Unknown):
        raise UnknownValue(value)
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Unknown) or (isinstance(v, str) and v.strip())]
    return []


# -- Cache for Redis ------------------------------------------------------------------------------
REDIS = "azurerm_redis_cache"
REDIS_RULE = "azurerm_redis_firewall_rule"
PRIVATE_ENDPOINT = "azurerm_private_endpoint"


def redis_cache(cache, project):
    if cache.get("subnet_id") is not None:
        return  # injected into a virtual network: the cache has no public address
    if project.referrers(cache, PRIVATE_ENDPOINT):
        return  # Azure may turn public access off when the endpoint is created: not knowable here
    if _firewalled(project, cache):
        return
    yield unrestricted(cache, "Redis cache", f"no {REDIS_RULE} applies to it, so every client IP "
                                             "address may connect")


def _firewalled(project, cache) -> bool:
    """Whether some firewall rule in the scan targets ``cache``: by a reference to it, or by its
    name and resource group written out. A rule that may target it, but whose target cannot be
    known, stops the check (an Unknown name counts only in the cache's own configuration)."""
    maybe, targeted = _FirewallRules.of(project).ahead_of_target(cache)
    unknown = None
    for rule in maybe:
        values = (rule.get("redis_cache_name"), cache.get("name"),
                  rule.get("resource_group_name"), cache.get("resource_group_name"))
        name, group = _same_text(*values[:2]), _same_text(*values[2:])
        if name is False or group is False:
            continue
        if name or rule.meta.get("root") == cache.meta.get("root"):
            if unknown is not None:  # a second one stops the check, before any rule after it
                raise UnknownValue(unknown)
            unknown = next(v for v in values if isinstance(v, Unknown))
    if targeted:
        return True
    if unknown is not None:
        raise UnknownValue(unknown)
    return False


class _FirewallRules:
    """A project's Redis firewall rules read once, instead of once for every cache: the first rule
    (by position in scan order) that refers to each cache, the first that writes out each name and
    resource group, and the rules that write out a name or group that is Unknown."""

    def __init__(self, project):
        self.rules = project.of_type(REDIS_RULE)
        self.referring: dict[int, int] = {}              # id(cache) -> first rule referring to it
        self.naming: dict[tuple[str, str], int] = {}     # (name, group), folded -> first rule
        self.written: list[int] = []                     # the rules that refer to no cache
        self.unsure: list[int] = []                      # ... and have an Unknown name or group
        for at, rule in enumerate(self.rules):
            targets = project.references(rule, REDIS)
            for target in targets:
                self.referring.setdefault(id(target), at)
            if targets:
                continue  # a rule that refers to a cache targets that cache, whatever it writes
            self.written.append(at)
            name, group = rule.get("redis_cache_name"), rule.get("resource_group_name")
            if isinstance(name, Unknown) or isinstance(group, Unknown):
                self.unsure.append(at)
            elif isinstance(name, str) and isinstance(group, str):
                self.naming.setdefault((_folded(name), _folded(group)), at)

    @classmethod
    def of(cls, project) -> "_FirewallRules":
        """The project's index, made once per scan (``Project.remembered``)."""
        return project.remembered(cls, lambda: cls(project))

    def ahead_of_target(self, cache) -> tuple[list, bool]:
        """The rules that may target ``cache`` but cannot be known to, ahead of the first rule
        that targets it, and whether there is such a rule. No other rule can change the verdict:
        it comes after that first one, or it names another cache for sure (names and groups
        that are all known either match or do not)."""
        first = self.referring.get(id(cache), len(self.rules))
        maybe: list[int] = []
        if self.written:
            name, group = cache.get("name"), cache.get("resource_group_name")
            if isinstance(name, str) and isinstance(group, str):
                first = min(first, self.naming.get((_folded(name), _folded(group)), first))
            maybe = self.written if isinstance(name, Unknown) or isinstance(group, Unknown) else self.unsure
        return [self.rules[at] for at in maybe[:bisect_left(maybe, first)]], first < len(self.rules)


def _same_text(a, b) -> bool | None:
    """Whether two names are equal (Azure names ignore case); None when either is Unknown."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    return _folded(a) == _folded(b)


def _folded(name: str) -> str:
    return name.strip().lower()


ROWS = [
    OpenService(
        id="IAC-NET-028", name="key-vault-network-open", type="azurerm_key_vault", judge=key_vault,
        equivalents=("CKV_AZURE_109", "CKV_AZURE_189", "AVD-AZU-0013"),
        doc='''Azure Key Vault accepts connections from any network (network ACLs default to Allow).

## Why
A Key Vault holds the keys, secrets and certificates other systems trust. Its endpoint answers
requests from anywhere unless `network_acls` says `default_action = "Deny"`; with no
`network_acls` block the default is `Allow`. Entra ID permissions then stand alone: a leaked
client secret, a token stolen from a developer laptop or a CI runner, or an over-broad access
policy gives the vault's contents to anyone on the internet, not only to someone who is also
inside your networks.

Reported: a vault with public network access on (the default) and either no `network_acls`
block or `default_action = "Allow"` (with `Allow`, `ip_rules` and `virtual_network_subnet_ids`
restrict nothing: every address they do not list is allowed by the default), or `Deny` with an
`ip_rules` entry such as `0.0.0.0/0` that matches every address. Not reported: vaults with
`public_network_access_enabled = false`. A private endpoint does not close the public endpoint.

## Differences from Checkov
CKV_AZURE_109 fails every vault without `default_action = "Deny"`, including vaults whose public
network access is off, which have no public endpoint (Trivy's AVD-AZU-0013 does the same).
CKV_AZURE_189 passes a vault whose `default_action` is `"Allow"` as soon as `ip_rules` or
`virtual_network_subnet_ids` lists something, although such a vault still accepts every
address, and fails a vault that denies by default and lists no rules, which only private
endpoints and trusted Azure services can reach. iaclint reports the first and not the second.

## Fix
Set `network_acls { default_action = "Deny" }`, list the networks that need the vault in
`virtual_network_subnet_ids` and `ip_rules` (keep `bypass = "AzureServices"` for disk
encryption and other trusted services), or turn public network access off and use private
endpoints.

## Example
```hcl
# bad
resource "azurerm_key_vault" "main" {
  name      = "acme-kv"
  sku_name  = "standard"
  tenant_id = data.azurerm_client_config.current.tenant_id
}

# good
resource "azurerm_key_vault" "main" {
  name      = "acme-kv"
  sku_name  = "standard"
  tenant_id = data.azurerm_client_config.current.tenant_id
  network_acls {
    default_action             = "Deny"
    bypass                     = "AzureServices"
    virtual_network_subnet_ids = [azurerm_subnet.app.id]
  }
}
```
'''),
    OpenService(
        id="IAC-NET-029", name="container-registry-network-open", type="azurerm_container_registry",
        judge=container_registry, equivalents=("CKV_AZURE_139",),
        doc='''Azure Container Registry accepts connections from any network (public access on, rules Allow).

## Why
A registry holds the images your clusters run. With public network access on (the provider's
default) and no `network_rule_set`, or one whose `default_action` is `"Allow"`, anyone on the
internet can reach its login, pull and push endpoints, so a leaked admin password, service
principal secret or repository token is enough to read the images (and the secrets baked into
them) or to push a poisoned one, from anywhere.

Reported: a registry with public network access on and either no `network_rule_set` (Basic and
Standard registries cannot have one: network rules and private endpoints are Premium features),
a rule set without `default_action` or with `"Allow"`, or `"Deny"` with an `ip_rule` whose
`ip_range` matches every address. Not reported: registries with
`public_network_access_enabled = false`. A private endpoint does not close the public endpoint.

## Differences from Checkov
CKV_AZURE_139 fails every registry without `public_network_access_enabled = false`, including
Premium registries whose `network_rule_set` denies by default and admits only listed addresses;
iaclint does not report those.

## Fix
On the Premium SKU, set `network_rule_set { default_action = "Deny" }` with `ip_rule` blocks for
the networks that push and pull, or turn public network access off and use private endpoints.
A Basic or Standard registry can only be restricted by moving it to Premium.

## Example
```hcl
# bad
resource "azurerm_container_registry" "acr" {
  name = "acmeacr"
  sku  = "Premium"
}

# good
resource "azurerm_container_registry" "acr" {
  name = "acmeacr"
  sku  = "Premium"
  network_rule_set {
    default_action = "Deny"
    ip_rule {
      action   = "Allow"
      ip_range = "203.0.113.0/24"
    }
  }
}
```
'''),
    OpenService(
        id="IAC-NET-030", name="cosmosdb-network-open", type="azurerm_cosmosdb_account",
        judge=cosmosdb_account, equivalents=("CKV_AZURE_99",),
        doc='''Azure Cosmos DB account accepts connections from any network (no IP or virtual network filter).

## Why
A Cosmos DB account answers requests from the whole internet unless its IP firewall
(`ip_range_filter`) or virtual network filtering (`is_virtual_network_filter_enabled`) says
otherwise. Its account keys are long-lived and grant full access to the data: one leaked
connection string is enough for anyone, anywhere, to read or delete every container.

Reported: an account with public network access on (the default), no `ip_range_filter` entries
and virtual network filtering off (the `virtual_network_rule` blocks are not enforced then), or
an `ip_range_filter` entry that matches every address (`0.0.0.0/0`). Not reported: accounts with
`public_network_access_enabled = false`, accounts with an `ip_range_filter` (it applies whether
or not virtual network filtering is on; the special entry `0.0.0.0` admits Azure datacenters,
not the internet), and accounts with `is_virtual_network_filter_enabled = true`, which admit only
their listed subnets. A private endpoint does not close the public endpoint. `ip_range_filter`
is read both as a set of strings (azurerm 4) and as one comma-separated string (azurerm 3).

## Differences from Checkov
CKV_AZURE_99 passes only when virtual network filtering is on and there is a
`virtual_network_rule` or an `ip_range_filter`: it fails accounts restricted by
`ip_range_filter` alone, whose IP firewall is enforced without virtual network filtering, and
accounts with filtering on and no rules, which no public client can reach. iaclint reports
neither. CKV_AZURE_101 is a different rule, "public network access is
off", which fails every account that keeps a public endpoint however it is restricted; it is not
listed as an equivalent.

## Fix
List the client networks in `ip_range_filter`, or enable `is_virtual_network_filter_enabled`
with `virtual_network_rule` blocks for the application subnets, or turn public network access
off and use private endpoints.

## Example
```hcl
# bad
resource "azurerm_cosmosdb_account" "db" {
  name       = "acme-db"
  offer_type = "Standard"
}

# good
resource "azurerm_cosmosdb_account" "db" {
  name                              = "acme-db"
  offer_type                        = "Standard"
  is_virtual_network_filter_enabled = true
  virtual_network_rule {
    id = azurerm_subnet.app.id
  }
}
```
'''),
    OpenService(
        id="IAC-NET-031", name="redis-cache-network-open", type=REDIS, judge=redis_cache,
        also=(REDIS_RULE, PRIVATE_ENDPOINT), scope="project", precision="medium",
        equivalents=("CKV_AZURE_89",),
        doc='''Azure Cache for Redis accepts connections from any network (no firewall rule, public access on).

## Why
A cache with public network access on (the provider's default) and no firewall rule lets every
client IP address on the internet connect: the access key is then the only barrier against key
guessing and against anyone who finds a connection string in a log, a repository or a config
file, and Redis often holds sessions and tokens.

Reported: a cache with public network access on, not injected into a virtual network
(`subnet_id`), and no `azurerm_redis_firewall_rule` in the scan that targets it, by a reference
or by its name and resource group written out. Not reported: caches with
`public_network_access_enabled = false`; caches in a virtual network, which have no public
address; and caches a private endpoint in the scan refers to: Azure's documentation says public
network access is turned off when a private endpoint is created, so what the cache ends up with
cannot be read from the configuration. A rule open to every address is IAC-NET-016.

## Differences from Checkov
CKV_AZURE_89 fails every cache without `public_network_access_enabled = false`, including caches
that firewall rules restrict to known addresses and caches injected into a virtual network;
iaclint does not report those.

## Fix
Add `azurerm_redis_firewall_rule` resources for the client address ranges that need the cache,
or turn public network access off and use a private endpoint.

## Example
```hcl
# bad
resource "azurerm_redis_cache" "cache" {
  name     = "acme-cache"
  sku_name = "Standard"
  family   = "C"
  capacity = 1
}

# good
resource "azurerm_redis_cache" "cache" {
  name     = "acme-cache"
  sku_name = "Standard"
  family   = "C"
  capacity = 1
}

resource "azurerm_redis_firewall_rule" "app" {
  name                = "app"
  redis_cache_name    = azurerm_redis_cache.cache.name
  resource_group_name = azurerm_redis_cache.cache.resource_group_name
  start_ip            = "203.0.113.10"
  end_ip              = "203.0.113.20"
}
```
'''),
]


def _register(rows) -> None:
    for row in rows:
        if row.scope == "project":
            def run(project, options, _row=row):
                for resource in project.of_type(_row.type):
                    yield from project.guarded(check(resource, _row, project), resource)
        else:
            def run(resource, options, _row=row):
                yield from check(resource, _row)
        policy(id=row.id, name=row.name, severity=row.severity, family="network",
               applies_to=(row.type,) + row.also, equivalents=row.equivalents, cwe=284,
               scope=row.scope, precision=row.precision, doc=row.doc)(run)


_register(ROWS)
