"""The records policy modules (and ``iaclint.images``) define without ``NamedTuple`` or a
dataclass keep every field they are given.

Table rows are plain classes with ``__slots__``: each argument of ``__init__`` must land in the
attribute of the same name, and every slot must be filled. Value records are tuple subclasses
with one property per position: each argument must come back from its property, equal values
must be equal and hash alike (the isolation inventory is remembered per ``Settings``), and copy
and pickle must rebuild them.
"""

from __future__ import annotations

import copy
import inspect
import pickle

import pytest

from iaclint.images import ImageRef
from iaclint.policies import _k8s
from iaclint.policies.encryption import _flags, rds_tls_not_enforced, weak_tls_minimum
from iaclint.policies.isolation import _levels
from iaclint.policies.network import azure_service_network_open
from iaclint.policies.secrets import _detect, service_environment_secret, terraform_resource_secret
from iaclint.policies.supply_chain import _images

ROWS = [_flags.Flag, weak_tls_minimum.MinTls, rds_tls_not_enforced.Target,
        azure_service_network_open.OpenService, terraform_resource_secret.Row,
        service_environment_secret.Row]
VALUES = [_detect.Secret, _k8s.Setting, _k8s.Explicit, _levels.Settings, _images.Pinning, ImageRef]


def _params(cls) -> list[inspect.Parameter]:
    init = cls.__new__ if issubclass(cls, tuple) else cls.__init__
    return list(inspect.signature(init).parameters.values())[1:]


def _distinct(cls, tag: str) -> dict:
    return {p.name: f"{tag}-{p.name}" for p in _params(cls)}


@pytest.mark.parametrize("cls", ROWS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_a_row_keeps_each_argument_under_its_name(cls):
    args = _distinct(cls, "a")
    row = cls(**args)
    assert set(cls.__slots__) == set(args)
    for name, value in args.items():
        assert getattr(row, name) == value, name


@pytest.mark.parametrize("cls", VALUES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_a_value_record_is_a_tuple_of_its_fields_in_order(cls):
    args = _distinct(cls, "a")
    record = cls(**args)
    assert tuple(record) == tuple(args.values())
    for name, value in args.items():
        assert getattr(record, name) == value, name
    assert record == cls(*args.values()) and hash(record) == hash(cls(**args))
    assert record != cls(**_distinct(cls, "b"))
    assert copy.copy(record) == record and type(copy.deepcopy(record)) is cls
    assert pickle.loads(pickle.dumps(record)) == record


@pytest.mark.parametrize("cls", VALUES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_a_value_record_fills_its_defaults(cls):
    required = {p.name: p.name for p in _params(cls) if p.default is inspect.Parameter.empty}
    record = cls(**required)
    for p in _params(cls):
        expected = p.name if p.default is inspect.Parameter.empty else p.default
        assert getattr(record, p.name) == expected, p.name


def test_settings_read_from_the_same_table_are_one_cache_key():
    table = {"floors": {"untrusted": "vm"}, "namespaces": {"ci-*": "untrusted"}}
    assert _levels.Settings.from_options(table) == _levels.Settings.from_options(dict(table))
    assert _levels.Settings.from_options({}) == _levels.Settings()
    assert _levels.Settings().floor("untrusted") == _levels.DEFAULT_FLOORS["untrusted"]
