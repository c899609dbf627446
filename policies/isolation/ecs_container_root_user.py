"""ECS container runs as root, or may (no "user" in its container definition).

## Why
A container definition's `user` sets the user its processes run as. `root`, `0` or `0:<gid>`
is root, and without a `user` the image's `USER` decides, which for most images is root too.
Root in the container is UID 0 on the container instance's kernel: one escape (a runtime or
kernel bug, a writable host mount) away from the instance, every task on it and its role.

Reported at the `container_definitions` attribute: an explicit root user, and a definition
without `user` (the message says the image decides, which cannot be checked here). Windows
tasks (`runtime_platform { operating_system_family = "WINDOWS_..." }`) are skipped: their users
are not UIDs. When the document cannot be known statically the check is skipped and counted.

## Fix
Set `"user": "10001"` (a numeric UID the image does not need to know) or the name of an
unprivileged user the image creates, and build images with a non-root `USER`.

## Example
```hcl
# bad
container_definitions = jsonencode([{
  name  = "api"
  image = "public.ecr.aws/example/api:2.3.1"
  user  = "root"
}])

# good
container_definitions = jsonencode([{
  name  = "api"
  image = "public.ecr.aws/example/api:2.3.1"
  user  = "10001:10001"
}])
```
"""

from iaclint.model import Severity, Unknown, UnknownValue
from iaclint.registry import policy

from ._ecs import container_definitions, is_windows_task, label

ROOT = ("root", "0")


@policy(id="IAC-ISO-023", name="ecs-container-root-user", severity=Severity.MEDIUM, family="isolation",
        applies_to=("aws_ecs_task_definition",), equivalents=(), cwe=250, precision="medium")
def ecs_container_root_user(resource, options):
    if is_windows_task(resource):
        return
    for i, container in enumerate(container_definitions(resource)):
        user = container.get("user")
        if isinstance(user, Unknown):
            raise UnknownValue(user)
        if user is None:
            yield resource.finding(f"{label(container, i)} sets no \"user\": it runs as the image's "
                                   "USER, root unless the image says otherwise", at="container_definitions")
        elif isinstance(user, (str, int)) and not isinstance(user, bool):
            name = str(user).split(":", 1)[0].strip().lower()
            if name in ROOT:
                yield resource.finding(f"{label(container, i)} runs as root (\"user\": \"{user}\")",
                                       at="container_definitions")
