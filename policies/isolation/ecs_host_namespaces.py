"""ECS task shares the host's process, IPC or network namespace (pid_mode, ipc_mode, network_mode "host").

## Why
- `pid_mode = "host"`: the task's containers see every process on the container instance, can
  read their command lines and environments (other tasks' secrets among them) and, with the
  right capability, trace them or enter their namespaces through `/proc/<pid>/root`.
- `ipc_mode = "host"`: they share the instance's System V IPC and POSIX shared memory with
  every process there.
- `network_mode = "host"`: they use the instance's network stack: they can bind any port,
  reach services listening on the instance's loopback, and call the instance metadata service
  directly (the instance role's credentials), and security groups of `awsvpc` no longer
  separate them from the instance.

These are task-level arguments of `aws_ecs_task_definition`, each reported where it is written.
Fargate rejects all three, so this matters for the EC2 launch type.

## Fix
Remove them: the defaults give each task its own process and IPC namespaces. Use
`network_mode = "awsvpc"` (its own interface and security groups) or `bridge`.

## Example
```hcl
# bad
resource "aws_ecs_task_definition" "agent" {
  family       = "agent"
  network_mode = "host"
  pid_mode     = "host"
  container_definitions = jsonencode([{ name = "agent", image = "public.ecr.aws/example/agent:1.4.2" }])
}

# good
resource "aws_ecs_task_definition" "agent" {
  family       = "agent"
  network_mode = "awsvpc"
  container_definitions = jsonencode([{ name = "agent", image = "public.ecr.aws/example/agent:1.4.2" }])
}
```
"""

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

NAMESPACES = (("pid_mode", "process"), ("ipc_mode", "IPC"), ("network_mode", "network"))


@policy(id="IAC-ISO-025", name="ecs-host-namespaces", severity=Severity.HIGH, family="isolation",
        applies_to=("aws_ecs_task_definition",), equivalents=("CKV_AWS_335",), cwe=668,
        precision="very-high")
def ecs_host_namespaces(resource, options):
    unknown = None
    for key, what in NAMESPACES:
        value = resource.get(key)
        if isinstance(value, Unknown):
            unknown = value if unknown is None else unknown
        elif isinstance(value, str) and value.strip().lower() == "host":
            yield resource.finding(f"the task shares the container instance's {what} namespace "
                                   f"({key} = \"host\")", at=key)
    if unknown is not None:
        raise UnknownValue(unknown)  # the modes that could not be known are counted as skipped
