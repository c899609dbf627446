"""ECS container's root filesystem is writable (readonlyRootFilesystem is not true).

## Why
With a writable root filesystem, an attacker who gets code execution in the container can
replace the application's files, drop tools and keep persistence for the life of the task. A
read-only root sends every write to a volume you chose, where it is visible and limited.

Reported at the `container_definitions` attribute for each container definition whose
`readonlyRootFilesystem` is not `true`. Windows tasks are skipped (the parameter is not
supported there). When the document cannot be known statically the check is skipped and
counted.

## Fix
Set `"readonlyRootFilesystem": true` and give the container a volume (or a bind mount of a
task volume) for the paths it must write, such as `/tmp`.

## Example
```hcl
# bad
container_definitions = jsonencode([{
  name  = "api"
  image = "public.ecr.aws/example/api:2.3.1"
}])

# good
container_definitions = jsonencode([{
  name                   = "api"
  image                  = "public.ecr.aws/example/api:2.3.1"
  readonlyRootFilesystem = true
  mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp" }]
}])
```
"""

from iaclint.model import Severity
from iaclint.registry import policy

from ._ecs import container_definitions, is_true, is_windows_task, label


@policy(id="IAC-ISO-024", name="ecs-writable-root-filesystem", severity=Severity.LOW, family="isolation",
        applies_to=("aws_ecs_task_definition",), equivalents=("CKV_AWS_336",), cwe=732,
        precision="high")
def ecs_writable_root_filesystem(resource, options):
    if is_windows_task(resource):
        return
    for i, container in enumerate(container_definitions(resource)):
        value = container.get("readonlyRootFilesystem")
        if not is_true(value):
            how = "readonlyRootFilesystem is false" if value is False else "readonlyRootFilesystem is not set"
            yield resource.finding(f"{label(container, i)} has a writable root filesystem ({how})",
                                   at="container_definitions")
