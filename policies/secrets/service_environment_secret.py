"""Secrets in plain environment variables of managed compute services, one policy per service family.

Each row of ``ROWS`` is one policy; its ``sources`` say, per resource type, where the
environment lives: ``map`` (a map attribute, ``{NAME = value}``), ``pairs`` (nested blocks with
``name`` and ``value``), ``json`` (a JSON container definition, as ECS and Batch take them,
already evaluated when it comes from ``jsonencode``) or ``connection`` (Azure connection
strings: the value is judged as one). A variable is reported when its name says secret and its
value is a chosen-looking literal, or when its value has a credential's own shape. A value
whose literal is a variable default is reported at that default (IAC-SEC-011).
"""

from __future__ import annotations

from iaclint.model import Severity
from iaclint.registry import policy

from ._detect import check_value, json_value, scan_text
from ._tf import COMPUTED_NOTE, INPUT_TYPES, Origins, holders


class Row:
    """One row of the table (a plain class, as ``encryption/_flags.Flag``: rows are only read)."""

    __slots__ = ("id", "name", "doc", "sources", "equivalents")

    def __init__(self, id: str, name: str, doc: str, sources: dict, equivalents: tuple = ()):
        self.id, self.name, self.doc = id, name, doc
        self.sources = sources  # resource type -> ((path, how), ...)
        self.equivalents = equivalents


_PODS = "spec.template.spec"
ROWS = (
    Row(
        id="IAC-SEC-013", name="lambda-environment-secret", equivalents=("CKV_AWS_45",),
        sources={"aws_lambda_function": (("environment.variables", "map"),)},
        doc="""Secret in a Lambda function's environment variables.

## Why
Lambda environment variables are configuration, not a secret store: anyone with
`lambda:GetFunctionConfiguration` (most read-only and developer roles) reads them in clear, they
appear in the console, in `terraform plan` output and in the state, and a function's code or a
dependency that logs its environment leaks them. Written in Terraform, the value is also in the
repository and its history.

Checked: `environment { variables = {...} }` entries whose name says secret (`DB_PASSWORD`,
`API_KEY`, `STRIPE_SECRET`) with a chosen-looking literal value, and any value with a
credential's own shape (AWS keys, tokens, private keys, URLs with a password). Placeholders,
ARNs and names of secrets (`DB_SECRET_ARN`) are not reported.

## Fix
Store the secret in Secrets Manager or SSM Parameter Store and pass only its ARN or name; read it
at run time (the AWS Parameters and Secrets Lambda extension caches it). Rotate the exposed value.

## Example
```hcl
# bad
environment {
  variables = { DB_PASSWORD = "Zq8!vR2#kLw9" }
}

# good
environment {
  variables = { DB_SECRET_ARN = aws_secretsmanager_secret.db.arn }
}
```
"""),
    Row(
        id="IAC-SEC-014", name="ecs-environment-secret", equivalents=("AVD-AWS-0036",),
        sources={"aws_ecs_task_definition": (("container_definitions", "json"),),
                 "aws_batch_job_definition": (("container_properties", "json"),)},
        doc="""Secret in an ECS task definition's (or Batch job's) container environment.

## Why
The `environment` of a container definition is stored in clear in the task definition: anyone
with `ecs:DescribeTaskDefinition` reads it, every revision keeps it forever (revisions cannot be
deleted, only deregistered), and it is in the Terraform state and plan output. Written in the
code it is also in the repository.

Checked: `environment` entries (`{ name, value }`) of every container in `container_definitions`
(a JSON string, a heredoc or `jsonencode(...)`) and in a Batch job definition's
`container_properties`, judged by name and value as for Lambda. The container's `secrets`
(`valueFrom`) are the right place and are not reported.

## Fix
Move the value to Secrets Manager or SSM Parameter Store and reference it from the container's
`secrets` list (`{ name = "DB_PASSWORD", valueFrom = aws_secretsmanager_secret.db.arn }`); the
agent injects it at start, and the task definition holds only the ARN. Rotate the exposed value.

## Example
```hcl
# bad
container_definitions = jsonencode([{
  name        = "app"
  environment = [{ name = "DB_PASSWORD", value = "Zq8!vR2#kLw9" }]
}])

# good
container_definitions = jsonencode([{
  name    = "app"
  secrets = [{ name = "DB_PASSWORD", valueFrom = aws_secretsmanager_secret.db.arn }]
}])
```
"""),
    Row(
        id="IAC-SEC-015", name="service-environment-secret",
        sources={
            **{t: (("app_settings", "map"), ("connection_string", "connection"))
               for t in ("azurerm_app_service", "azurerm_app_service_slot", "azurerm_function_app",
                         "azurerm_function_app_slot", "azurerm_linux_web_app", "azurerm_windows_web_app",
                         "azurerm_linux_web_app_slot", "azurerm_windows_web_app_slot",
                         "azurerm_linux_function_app", "azurerm_windows_function_app",
                         "azurerm_linux_function_app_slot", "azurerm_windows_function_app_slot")},
            "azurerm_container_group": (("container.environment_variables", "map"),),
            "azurerm_container_app": (("template.container.env", "pairs"),),
            "google_cloudfunctions_function": (("environment_variables", "map"),
                                               ("build_environment_variables", "map")),
            "google_cloudfunctions2_function": (("service_config.environment_variables", "map"),
                                                ("build_config.environment_variables", "map")),
            "google_cloud_run_service": (("template.spec.containers.env", "pairs"),),
            "google_cloud_run_v2_service": (("template.containers.env", "pairs"),),
            "google_cloud_run_v2_job": (("template.template.containers.env", "pairs"),),
            "google_composer_environment": (("config.software_config.env_variables", "map"),),
            "aws_codebuild_project": (("environment.environment_variable", "pairs"),),
            "aws_apprunner_service": (
                ("source_configuration.image_repository.image_configuration.runtime_environment_variables", "map"),
                ("source_configuration.code_repository.code_configuration.code_configuration_values"
                 ".runtime_environment_variables", "map")),
            "aws_elastic_beanstalk_environment": (("setting", "pairs"),),
            "aws_sagemaker_model": (("primary_container.environment", "map"), ("container.environment", "map")),
            "aws_glue_job": (("default_arguments", "map"),),
            "heroku_app": (("config_vars", "map"),),
            **{t: ((f"{_PODS}.container.env", "pairs"), (f"{_PODS}.init_container.env", "pairs"))
               for t in ("kubernetes_deployment", "kubernetes_deployment_v1", "kubernetes_stateful_set",
                         "kubernetes_stateful_set_v1", "kubernetes_daemonset", "kubernetes_daemon_set_v1",
                         "kubernetes_job", "kubernetes_job_v1", "kubernetes_replication_controller",
                         "kubernetes_replication_controller_v1")},
            **{t: (("spec.container.env", "pairs"), ("spec.init_container.env", "pairs"))
               for t in ("kubernetes_pod", "kubernetes_pod_v1")},
            **{t: ((f"spec.job_template.{_PODS}.container.env", "pairs"),)
               for t in ("kubernetes_cron_job", "kubernetes_cron_job_v1")},
        },
        doc="""Secret in the plain environment or app settings of a managed app, function, container or build service.

## Why
The environment variables and app settings of managed services are configuration, readable by
everyone who can read the service (the Azure `Reader`-plus roles, GCP `viewer`, AWS read-only
roles), shown in consoles and plan output, and kept in the Terraform state. Written in the
code, the value is also in the repository and its history. Each of these services has a
secret-aware alternative that holds only a reference.

Checked: Azure App Service and Function `app_settings` and `connection_string` values, Container
Instances `environment_variables` (not `secure_environment_variables`) and Container Apps `env`
values; Cloud Functions (1st and 2nd gen), Cloud Run services and jobs, and Composer environment
variables; CodeBuild `PLAINTEXT` environment variables, App Runner runtime variables, Elastic
Beanstalk settings, SageMaker model environments, Glue job arguments and Heroku config vars;
and container `env` values of the Kubernetes provider's workloads. A variable counts when its
name says secret and its value is a chosen-looking literal, or its value has a credential's own
shape; Key Vault references (`@Microsoft.KeyVault(...)`), secret references and placeholders do
not.

## Fix
Keep the value in the platform's secret store and reference it: Key Vault references in app
settings and `secure_environment_variables` / Container Apps `secret` for Azure,
`secret_environment_variables` / `value_source.secret_key_ref` for Google Cloud,
`type = "SECRETS_MANAGER"` or `"PARAMETER_STORE"` for CodeBuild, `runtime_environment_secrets`
for App Runner, `sensitive_config_vars` for Heroku, and `value_from.secret_key_ref` for
Kubernetes. Rotate the exposed value.

## Example
```hcl
# bad
app_settings = {
  "DB_PASSWORD" = "Zq8!vR2#kLw9"
}

# good
app_settings = {
  "DB_PASSWORD" = "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.db.versionless_id})"
}
```
"""),
)

_REFERENCE_TYPES = ("PARAMETER_STORE", "SECRETS_MANAGER")
_LABELS = {"variables": "environment", "environment": "environment", "app_settings": "app_settings",
           "environment_variables": "environment", "config_vars": "config_vars"}  # CodeBuild: the value names the secret


def _register(row: Row) -> None:
    types = tuple(row.sources)

    def check(project, options):
        origins = Origins.of(project)
        for resource in project.of_type(*types):
            yield from project.guarded(_resource(resource, row.sources[resource.type], origins), resource)

    policy(id=row.id, name=row.name, severity=Severity.HIGH, family="secrets", applies_to=types + INPUT_TYPES,
           equivalents=row.equivalents, cwe=526, scope="project", precision="high", doc=row.doc)(check)


def _resource(resource, sources, origins: Origins):
    seen = set()
    for path, how in sources:
        for holder, at, label, name, value, written in _entries(resource, path, how):
            found = _secret(name, value, how)
            if found is None or (not written and origins.reported_elsewhere(found, holder, at)):
                continue
            if (id(holder), at, found.value) in seen:
                continue
            seen.add((id(holder), at, found.value))
            note = "" if written else COMPUTED_NOTE
            if how == "connection":
                message = f'connection string "{name}" holds a literal {found.kind.split(" (")[0]} ({found.masked}){note}'
            else:
                message = f"{label} sets {name} to a literal {found.kind} ({found.masked}){note}"
            yield holder.finding(message, at=at)


def _secret(name, value, how):
    if how == "connection":
        hits = scan_text(value) if isinstance(value, str) else []
        return hits[0] if hits else None
    return check_value(name, value)


def _entries(resource, path: str, how: str):
    """``(node, at, label, variable name, value, written here)`` for each variable at ``path``."""
    if how == "pairs":
        for block in _blocks(resource, path):
            if resource.type == "aws_codebuild_project" and block.get("type") in _REFERENCE_TYPES:
                continue
            name, value = block.get("name"), block.get("value")
            if isinstance(name, str):
                yield block, "value", "environment", name, value, block.written_here("value")
        return
    if how == "connection":
        for block in _blocks(resource, path):
            name = block.get("name")
            yield (block, "value", "connection string", name if isinstance(name, str) else "connection string",
                   block.get("value"), block.written_here("value"))
        return
    for holder, attribute in holders(resource, path):
        value = holder.get(attribute)
        written = holder.written_here(attribute)
        if how == "map" and isinstance(value, dict):
            for name, item in value.items():
                yield holder, attribute, _LABELS.get(attribute, attribute.replace("_", " ")), str(name), item, written
        elif how == "json":
            document = json_value(value)
            containers = document if isinstance(document, list) else [document]
            for container in containers:
                if not isinstance(container, dict) or not isinstance(container.get("environment"), list):
                    continue
                cname = container.get("name")
                label = f'container "{cname}"' if isinstance(cname, str) else "container"
                for entry in container["environment"]:
                    if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                        yield holder, attribute, label, entry["name"], entry.get("value"), written


def _blocks(resource, path: str):
    nodes = [resource]
    for part in path.split("."):
        nodes = [child for n in nodes for child in n.blocks(part)]
    return nodes


for _row in ROWS:
    _register(_row)
