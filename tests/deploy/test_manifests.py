"""The deployment as an operator would apply it, checked offline: `kustomize build` of each overlay, every object
against its schema (core kinds: kubernetes-validate; Strimzi, CloudNativePG, External Secrets, ServiceMonitor: the
CRD schemas vendored in deploy/schemas), kube-score with no CRITICAL, the Kafka topics against what the services
declare, and docker-compose.yml against the Compose Specification. The tools are installed by scripts/test.sh;
a missing tool fails the test rather than skipping it."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from pilot_common.transport import dlq_topic, service_topic

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SCHEMAS = ROOT / "deploy" / "schemas"
OVERLAYS = ["dev", "prod"]
SERVICES = {"pilot-registry": "pilot_registry", "application-intake": "application_intake", "evaluation": "evaluation"}
CONSOLE = "pilot-console"
KUBERNETES_VERSION = "1.33"
# Pods that an operator creates (Kafka nodes, PostgreSQL instances) are not in the manifests, so kube-score cannot
# see that a NetworkPolicy for them selects something; test_operator_pod_policies_select_the_operators_pods does.
OPERATOR_POD_LABELS = {"strimzi.io/cluster": "pilot-kafka", "cnpg.io/cluster": "pilot-pg"}


def tool(name: str) -> str:
    """kustomize / kube-score: $KUSTOMIZE / $KUBE_SCORE, else where scripts/test.sh installs them, else PATH."""
    explicit = os.environ.get(name.upper().replace("-", "_"))
    candidates = [explicit] if explicit else []
    candidates += [str(Path.home() / ".cache" / "pilot-infra" / "bin" / name), shutil.which(name)]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(f"{name} is not installed: run ./scripts/test.sh (it installs it with `go install`)")


@cache
def built(overlay: str) -> str:
    result = subprocess.run(
        [tool("kustomize"), "build", str(K8S / "overlays" / overlay)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def objects(overlay: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(built(overlay)) if doc]


def of_kind(overlay: str, kind: str) -> list[dict[str, Any]]:
    return [o for o in objects(overlay) if o["kind"] == kind]


def _closed(schema: Any) -> Any:
    """The CRD schema as the API server reads it, but strict: an object with declared properties refuses unknown
    fields (the server would silently prune them: a typo would vanish instead of failing)."""
    if isinstance(schema, dict):
        schema = {k: _closed(v) for k, v in schema.items()}
        if (
            schema.get("type") == "object"
            and "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
        if schema.get("x-kubernetes-int-or-string"):
            schema.pop("type", None)
            schema["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        return schema
    if isinstance(schema, list):
        return [_closed(v) for v in schema]
    return schema


@cache
def crd_schema(group: str, kind: str, version: str) -> dict[str, Any] | None:
    path = SCHEMAS / group / f"{kind.lower()}_{version}.json"
    if not path.exists():
        return None
    schema = _closed(json.loads(path.read_text()))
    # metadata is the API server's; the CRD schema declares it as a bare object.
    schema["properties"]["metadata"] = {"type": "object"}
    return dict(schema)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_against_its_schema(overlay: str) -> None:
    docs = objects(overlay)
    assert len(docs) > 30
    errors: list[str] = []
    for doc in docs:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        group, _, version = doc["apiVersion"].rpartition("/")
        if group and "." in group and not group.endswith(".k8s.io"):
            schema = crd_schema(group, doc["kind"], version)
            if schema is None:
                errors.append(f"{name}: no vendored schema for {doc['apiVersion']} (deploy/schemas/SOURCES.md)")
                continue
            for error in jsonschema.Draft7Validator(schema).iter_errors(copy.deepcopy(doc)):
                errors.append(f"{name}: {'/'.join(map(str, error.absolute_path))}: {error.message[:300]}")
        else:
            try:
                kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as e:
                errors.append(f"{name}: {e.message[:300]}")
    assert errors == []


def test_a_wrong_field_in_a_custom_resource_is_caught() -> None:
    """The strict reading of a CRD schema finds a misspelt field (else the test above could pass on anything)."""
    topic = copy.deepcopy(of_kind("prod", "KafkaTopic")[0])
    schema = crd_schema("kafka.strimzi.io", "KafkaTopic", "v1")
    assert schema is not None
    jsonschema.validate(topic, schema)
    topic["spec"]["partition"] = topic["spec"].pop("partitions")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(topic, schema)


def _scored_objects(overlay: str) -> str:
    kept = [
        o
        for o in objects(overlay)
        if not (
            o["kind"] == "NetworkPolicy"
            and set(o["spec"]["podSelector"].get("matchLabels", {})) & set(OPERATOR_POD_LABELS)
        )
    ]
    return yaml.safe_dump_all(kept, sort_keys=False)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kube_score_finds_nothing_critical(overlay: str) -> None:
    result = subprocess.run(
        [tool("kube-score"), "score", "--output-format", "ci", "-"],
        input=_scored_objects(overlay),
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = result.stdout.splitlines()
    assert any(line.startswith("[OK]") for line in lines), result.stdout + result.stderr
    critical = [line for line in lines if line.startswith("[CRITICAL]")]
    assert critical == []


def test_operator_pod_policies_select_the_operators_pods() -> None:
    """The policies kube-score cannot check select the pods Strimzi and CNPG label with their resources' names."""
    names = {o["kind"]: o["metadata"]["name"] for o in objects("prod") if o["kind"] in ("Kafka", "Cluster")}
    assert {"strimzi.io/cluster": names["Kafka"], "cnpg.io/cluster": names["Cluster"]} == OPERATOR_POD_LABELS
    for policy in of_kind("prod", "NetworkPolicy"):
        selected = policy["spec"]["podSelector"].get("matchLabels", {})
        for key, value in selected.items():
            if key in OPERATOR_POD_LABELS:
                assert value == OPERATOR_POD_LABELS[key], policy["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_topics_are_the_ones_the_services_declare(overlay: str) -> None:
    """A KafkaTopic per service topic and .dlq, with the partitions, replication and min ISR that the services
    are configured to verify (else they refuse to start)."""
    config = of_kind(overlay, "ConfigMap")
    settings = next(c["data"] for c in config if c["metadata"]["name"].startswith("pilot-config"))
    assert settings["PILOT_KAFKA_CREATE_TOPICS"] == "false"
    topics = {t["spec"]["topicName"]: t["spec"] for t in of_kind(overlay, "KafkaTopic")}
    expected = {name for s in SERVICES for name in (service_topic(s), dlq_topic(service_topic(s)))}
    assert set(topics) == expected
    for spec in topics.values():
        assert spec["partitions"] == int(settings["PILOT_KAFKA_PARTITIONS"])
        assert spec["replicas"] == int(settings["PILOT_KAFKA_REPLICATION_FACTOR"])
        assert int(spec["config"]["min.insync.replicas"]) == int(settings["PILOT_KAFKA_MIN_INSYNC_REPLICAS"])
    if overlay == "prod":
        assert settings["PILOT_KAFKA_REPLICATION_FACTOR"] == "3" and settings["PILOT_KAFKA_MIN_INSYNC_REPLICAS"] == "2"
    [kafka] = of_kind(overlay, "Kafka")
    assert settings["KAFKA_BOOTSTRAP_SERVERS"] == f"{kafka['metadata']['name']}-kafka-bootstrap:9092"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_runs_hardened_with_its_migration_and_meaningful_probes(overlay: str) -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind(overlay, "Deployment")}
    assert set(deployments) == {*SERVICES, CONSOLE}
    hpas = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind(overlay, "HorizontalPodAutoscaler")}
    pdbs = {p["metadata"]["name"] for p in of_kind(overlay, "PodDisruptionBudget")}
    assert hpas == pdbs == {*SERVICES, CONSOLE}
    for name, deployment in deployments.items():
        if name == CONSOLE:
            continue
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        [migrate] = pod["initContainers"]
        assert migrate["command"] == ["python", "-m", SERVICES[name], "migrate"]
        for container in [*pod["initContainers"], *pod["containers"]]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            assert not re.search(r":latest$", container["image"]) and ":" in container["image"]
            assert {"cpu", "memory", "ephemeral-storage"} <= set(container["resources"]["limits"])
        [app] = pod["containers"]
        assert app["readinessProbe"]["httpGet"]["path"] == "/readyz"  # database, relay and consumer threads
        assert app["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert "startupProbe" in app
        env = {e["name"]: e for e in app["env"]}
        assert env["PILOT_KAFKA_GROUP_INSTANCE_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
        assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == f"{name}-db"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_console_runs_hardened_without_a_database_and_reaches_only_what_it_needs(overlay: str) -> None:
    [console] = [d for d in of_kind(overlay, "Deployment") if d["metadata"]["name"] == CONSOLE]
    pod = console["spec"]["template"]["spec"]
    assert "initContainers" not in pod  # no database, nothing to migrate
    [app] = pod["containers"]
    assert app["command"] == ["python", "-m", "pilot_console"]
    security = app["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert app["readinessProbe"]["httpGet"]["path"] == "/readyz" and app["livenessProbe"]["httpGet"]["path"] == "/livez"
    env = {e["name"]: e for e in app["env"]}
    assert "DATABASE_URL" not in env
    for key in ("PILOT_CONSOLE_SESSION_SECRET", "PILOT_CONSOLE_OIDC_CLIENT_SECRET"):
        assert env[key]["valueFrom"]["secretKeyRef"]["name"] == CONSOLE
    config = {c["metadata"]["name"]: c["data"] for c in of_kind(overlay, "ConfigMap")}
    console_config = next(data for name, data in config.items() if name.startswith("pilot-console-config"))
    services = {s["metadata"]["name"] for s in of_kind(overlay, "Service")}
    for key in ("REGISTRY", "INTAKE", "EVALUATION"):
        assert console_config[f"PILOT_CONSOLE_{key}_URL"].removeprefix("http://") in services
    policies = {p["metadata"]["name"]: p["spec"] for p in of_kind(overlay, "NetworkPolicy")}
    allowed_in = policies["services-ingress"]["ingress"][0]["from"]
    assert {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "console"}}} in allowed_in


def test_prod_secrets_come_from_the_secret_store_and_match_the_database_roles() -> None:
    external = {e["spec"]["target"]["name"]: e for e in of_kind("prod", "ExternalSecret")}
    assert of_kind("prod", "Secret") == []
    [cluster] = of_kind("prod", "Cluster")
    roles = {r["name"]: r["passwordSecret"]["name"] for r in cluster["spec"]["managed"]["roles"]}
    databases = {d["spec"]["name"]: d["spec"]["owner"] for d in of_kind("prod", "Database")}
    for service, role in SERVICES.items():
        assert roles[role] == f"{service}-db" and databases[role] == role
        template = external[f"{service}-db"]["spec"]["target"]["template"]["data"]
        assert template["username"] == role
        assert template["database-url"].startswith(f"postgresql+psycopg://{role}:")
        assert template["database-url"].split("?")[0].endswith(f"/{role}")
    assert set(external) == {f"{s}-db" for s in SERVICES} | {CONSOLE}
    # Tokens are verified against the identity provider: no shared signing secret is shipped or mounted.
    assert not any("jwt" in name for name in external)


# --- docker-compose.yml ------------------------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    schema = json.loads((SCHEMAS / "compose-spec" / "compose-spec.json").read_text())
    jsonschema.Draft7Validator(schema).validate(compose())


def test_compose_publishes_only_on_loopback_and_has_no_default_secrets() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    # A secret must be given (${VAR:?message}), never defaulted (${VAR:-value}).
    assert not re.search(r"\$\{[A-Z_]*(SECRET|PASSWORD)[A-Z_]*:-", text)
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("${PILOT_BIND_ADDRESS:-127.0.0.1}:"), f"{name} publishes {port}"
    images = {s.get("image") for n, s in compose()["services"].items() if n in SERVICES or n.endswith("-migrate")}
    assert len(images) == 1 and None not in images  # one image for every service, as in the cluster
