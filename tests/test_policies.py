"""One generic test walks every fixture folder; a meta-test holds every policy to the house rules."""

import os

import pytest

from iaclint import registry
from iaclint.testing import check_fixture, fixture_expectations

from .conftest import FIXTURES

POLICIES = registry.all_policies()
FIXTURE_DIRS = sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)))


@pytest.mark.parametrize("policy_id", FIXTURE_DIRS)
def test_fixture(policy_id):
    outcome = check_fixture(os.path.join(FIXTURES, policy_id), policy_id)
    assert not outcome.missing, f"expected findings not reported: {sorted(outcome.missing)}"
    assert not outcome.unexpected, f"findings without an expect line: {sorted(outcome.unexpected)}"
    if outcome.fixed_todos:
        pytest.fail(f"todo annotations now pass, promote them: {sorted(outcome.fixed_todos)}")
    todos = {e for e in outcome.expectations.todo_expect | outcome.expectations.todo_ok if e[2] == policy_id}
    if todos:
        pytest.xfail(f"known gaps: {sorted(todos)}")


@pytest.mark.parametrize("pol", POLICIES, ids=lambda p: p.id)
def test_policy_meets_house_rules(pol):
    assert pol.summary and not pol.summary.startswith("#"), "docstring must start with a one-line summary"
    assert pol.sections.get("why"), "docs need a '## Why' section"
    assert pol.sections.get("fix"), "docs need a '## Fix' section"
    # Equivalents are listed only where Checkov or Trivy really has the same check: a near miss
    # would mislead the parity report and users migrating their suppressions.
    assert all(e.startswith(("CKV_", "CKV2_", "AVD-")) for e in pol.equivalents), pol.equivalents
    assert pol.applies_to, "applies_to must name at least one type"
    folder = os.path.join(FIXTURES, pol.id)
    assert os.path.isdir(folder), f"fixture folder fixtures/{pol.id} is missing"
    exp = fixture_expectations(folder)
    assert any(e[2] == pol.id for e in exp.expect), "fixture needs at least one '# expect:' line"
    assert any(e[2] == pol.id for e in exp.ok), "fixture needs at least one '# ok:' line"


def test_every_fixture_folder_is_a_policy():
    ids = {p.id for p in POLICIES}
    assert set(FIXTURE_DIRS) <= ids, f"fixture folders without a policy: {sorted(set(FIXTURE_DIRS) - ids)}"


def test_minimum_policy_set():
    by_family = {}
    for p in POLICIES:
        by_family.setdefault(p.family, []).append(p)
    for family in ("network", "encryption", "secrets", "isolation"):
        assert len(by_family.get(family, [])) >= 4, family
    assert len(by_family.get("supply-chain", [])) >= 2
    sources = {t for p in POLICIES for t in p.applies_to}
    assert any(t.startswith("aws_") for t in sources)
    assert "Deployment" in sources and "dockerfile:stage" in sources


def test_most_policies_name_an_equivalent():
    with_equivalents = [p for p in POLICIES if p.equivalents]
    assert len(with_equivalents) >= 0.8 * len(POLICIES)


def test_ids_and_names_are_unique():
    assert len({p.id for p in POLICIES}) == len(POLICIES)
    assert len({p.name for p in POLICIES}) == len(POLICIES)
