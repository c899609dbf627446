"""What the GKE policies share: the node configurations a cluster or node pool really creates."""

from __future__ import annotations

from iaclint.model import Unknown, UnknownValue


def tf_bool(value) -> bool | None:
    """A Terraform bool as Terraform converts it (``true``, ``"true"``); None when absent or not
    a bool; an Unknown raises :class:`UnknownValue`."""
    if isinstance(value, Unknown):
        raise UnknownValue(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def is_autopilot(cluster) -> bool:
    """Autopilot clusters manage their nodes: Workload Identity is always on, node_config is GKE's."""
    return tf_bool(cluster.get("enable_autopilot")) is True


def node_configs(resource) -> list:
    """``node_config`` views of the nodes a resource creates.

    A ``google_container_node_pool`` has one. A ``google_container_cluster`` has its default
    pool's (left out with ``remove_default_node_pool = true``, since that pool is deleted once
    the cluster exists) and one per inline ``node_pool`` block; an Autopilot cluster has none.
    (The node pool has none of the cluster's arguments, so one reading serves both.)
    """
    if is_autopilot(resource):
        return []
    found = []
    if tf_bool(resource.get("remove_default_node_pool")) is not True:
        found.extend(resource.blocks("node_config"))
    for pool in resource.blocks("node_pool"):
        found.extend(pool.blocks("node_config"))
    return found
