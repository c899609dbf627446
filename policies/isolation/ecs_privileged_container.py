"""ECS task definition runs a container privileged.

## Why
`"privileged": true` in a container definition gives the container every Linux capability and
all host devices, without seccomp or AppArmor confinement: root in the container is root on
the EC2 container instance. From there the attacker reaches every other task on the instance,
the ECS agent's credentials and the instance role.

The container definitions are read from the `container_definitions` JSON, written inline, in a
heredoc or with `jsonencode(...)`; when the document cannot be known statically (a variable
without a default, values known after apply inside `jsonencode`) the check is skipped and
counted. Fargate rejects privileged containers, so this matters for the EC2 launch type.

## Fix
Remove `privileged` (it defaults to `false`) and add only the capabilities the process needs
with `linuxParameters.capabilities.add`.

## Example
```hcl
# bad
resource "aws_ecs_task_definition" "agent" {
  family = "agent"
  container_definitions = jsonencode([{
    name       = "agent"
    image      = "public.ecr.aws/example/agent:1.4.2"
    privileged = true
  }])
}

# good
resource "aws_ecs_task_definition" "agent" {
  family = "agent"
  container_definitions = jsonencode([{
    name  = "agent"
    image = "public.ecr.aws/example/agent:1.4.2"
    linuxParameters = { capabilities = { add = ["NET_ADMIN"], drop = ["ALL"] } }
  }])
}
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._ecs import container_definitions, is_true, label


@policy(id="IAC-ISO-022", name="ecs-privileged-container", severity=Severity.CRITICAL,
        family="isolation", applies_to=("aws_ecs_task_definition",), equivalents=("CKV_AWS_334",),
        cwe=250, precision="very-high")
def ecs_privileged_container(resource, options):
    for i, container in enumerate(container_definitions(resource)):
        if is_true(container.get("privileged")):
            yield resource.finding(f"{label(container, i)} runs privileged (\"privileged\": true)",
                                   at="container_definitions")
