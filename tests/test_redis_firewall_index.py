"""IAC-NET-031 reads a project's Redis firewall rules once (_FirewallRules): every cache must get
the verdict, or the Unknown, that reading every rule for it in scan order gives."""

from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.model import Unknown, UnknownValue
from iaclint.policies.network.azure_service_network_open import REDIS, REDIS_RULE, _firewalled, _same_text


class _Resource:
    def __init__(self, type_, value, root):
        self.type, self.value, self.meta = type_, value, {"root": root}

    def get(self, key):
        return self.value.get(key)


class _Project:
    def __init__(self, caches, rules, refs):
        self.caches, self.rules, self.refs = caches, rules, refs

    def of_type(self, type_):
        return list(self.rules) if type_ == REDIS_RULE else list(self.caches)

    def references(self, rule, type_):
        assert type_ == REDIS
        return self.refs[id(rule)]

    def remembered(self, key, build):  # as iaclint.project.Project
        memo = self.__dict__.setdefault("_memo", {})
        if key not in memo:
            memo[key] = build()
        return memo[key]


def _every_rule(project, cache) -> bool:
    """The verdict as every rule gives it, in scan order (what IAC-NET-031 computed before the index)."""
    unknown = None
    for rule in project.of_type(REDIS_RULE):
        targets = project.references(rule, REDIS)
        if targets:
            if any(t is cache for t in targets):
                return True
            continue
        values = (rule.get("redis_cache_name"), cache.get("name"),
                  rule.get("resource_group_name"), cache.get("resource_group_name"))
        name, group = _same_text(*values[:2]), _same_text(*values[2:])
        if name is False or group is False:
            continue
        if name and group:
            return True
        if name or rule.meta.get("root") == cache.meta.get("root"):
            unknown = unknown or next(v for v in values if isinstance(v, Unknown))  # a second one raises
    if unknown is not None:
        raise UnknownValue(unknown)
    return False


def _verdict(judge, project, cache):
    try:
        return judge(project, cache)
    except UnknownValue as exc:
        return exc.unknown  # the very Unknown: each one drawn is a distinct object


def _text(*choices):
    return st.one_of(st.sampled_from(choices), st.builds(Unknown, st.sampled_from(["var.a", "var.b"])))


NAMES = _text("cache", " Cache", "other", None)
GROUPS = _text("rg", "RG ", None)
ROOTS = st.sampled_from(["a", "b"])
CACHE = st.tuples(NAMES, GROUPS, ROOTS)
RULE = st.tuples(NAMES, GROUPS, ROOTS, st.lists(st.integers(0, 3), max_size=2))  # indices of caches it refers to


@settings(max_examples=1000, deadline=None)
@given(st.lists(CACHE, min_size=1, max_size=4), st.lists(RULE, max_size=8))
def test_the_index_gives_every_cache_the_verdict_of_reading_every_rule(caches, rules):
    caches = [_Resource(REDIS, {"name": n, "resource_group_name": g}, root) for n, g, root in caches]
    refs, rule_resources = {}, []
    for name, group, root, targets in rules:
        rule = _Resource(REDIS_RULE, {"redis_cache_name": name, "resource_group_name": group}, root)
        refs[id(rule)] = [caches[i] for i in dict.fromkeys(targets) if i < len(caches)]
        rule_resources.append(rule)
    project = _Project(caches, rule_resources, refs)
    for cache in caches:
        assert _verdict(_firewalled, project, cache) is _verdict(_every_rule, project, cache)


def test_a_second_rule_of_unknown_target_stops_the_check_only_ahead_of_a_rule_that_targets_the_cache():
    cache = _Resource(REDIS, {"name": "cache", "resource_group_name": "rg"}, "a")
    first, second = Unknown("var.a"), Unknown("var.b")
    unsure = [_Resource(REDIS_RULE, {"redis_cache_name": u, "resource_group_name": "rg"}, "a") for u in (first, second)]
    named = _Resource(REDIS_RULE, {"redis_cache_name": "Cache", "resource_group_name": "rg"}, "a")

    def verdict(*rules):
        return _verdict(_firewalled, _Project([cache], rules, {id(r): [] for r in rules}), cache)

    assert verdict(unsure[0], named) is True
    assert verdict(named, *unsure) is True
    assert verdict(named, *unsure, named) is True
    assert verdict(*unsure, named) is first
    assert verdict(*unsure) is first
