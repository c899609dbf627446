"""IAC-NET-027 files a namespace's NetworkPolicy selectors under one label each: the index must
answer exactly as matching the workload against every selector would."""

from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.policies.network.namespace_without_network_policy import _Index, _selects

KEYS = st.sampled_from(["app", "tier", "team", 1])
VALUES = st.sampled_from(["api", "web", "db", 1, "1", True, None])
LABELS = st.dictionaries(KEYS, VALUES, max_size=3)
EXPRESSION = st.one_of(st.fixed_dictionaries({
    "key": KEYS, "operator": st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist", "Bogus"]),
    "values": st.one_of(st.lists(VALUES, max_size=3), st.just("api"))}), st.just("unreadable"))
SELECTOR = st.one_of(
    st.none(), st.just({}), st.just("unreadable"), st.just({"matchLabels": ["not", "a", "map"]}),
    st.fixed_dictionaries({}, optional={"matchLabels": LABELS,
                                        "matchExpressions": st.lists(EXPRESSION, max_size=3)}))


@settings(max_examples=3000, deadline=None)
@given(st.lists(SELECTOR, max_size=6), LABELS)
def test_index_matches_every_selector_as_a_full_scan_would(selectors, labels):
    policies = [(None, {"podSelector": s}) for s in selectors]
    assert _Index(policies).selects(labels) == any(_selects(s, labels) for s in selectors)


def test_a_selector_filed_under_one_label_still_requires_the_others():
    policies = [(None, {"podSelector": {"matchLabels": {"app": "api", "tier": "backend"}}})]
    index = _Index(policies)
    assert not index.selects({"app": "api"})  # filed under app=api, but tier is missing
    assert index.selects({"app": "api", "tier": "backend", "extra": "x"})
    assert not index.selects({"app": "web", "tier": "backend"})


def test_a_label_every_selector_repeats_does_not_decide_where_they_are_filed():
    policies = [(None, {"podSelector": {"matchLabels": {"release": "shop", "app": f"a{i}"}}}) for i in range(50)]
    index = _Index(policies)
    assert len(index.by_label[("app", "a7")]) == 1 and ("release", "shop") not in index.by_label
    assert index.selects({"release": "shop", "app": "a7"}) and not index.selects({"release": "shop", "app": "b"})
