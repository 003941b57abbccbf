"""The Helm chart in deploy/helm/dealbell: linted and rendered by Helm's own engine, then the manifests
checked against the Kubernetes API's shapes and against each other (selectors, ports, Secrets).

No `helm` binary is packaged for Debian or on PyPI; helm-python-sdk bundles Helm's Go SDK (`helm lint`
and `helm template` without a cluster), so these are Helm's answers, not an imitation's.
"""

from __future__ import annotations

import itertools
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

helm = pytest.importorskip(
    "helm_python", reason="helm-python-sdk is a dev dependency: pip install -e '.[dev]'"
)

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "dealbell"
CI_VALUES = yaml.safe_load((CHART / "ci" / "test-values.yaml").read_text())
RELEASE = "dealbell"
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
QUANTITY = re.compile(r"^\d+(\.\d+)?(m|Ki|Mi|Gi|k|M|G)?$")


def merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def render(*, base: dict[str, Any] = CI_VALUES, **overrides: Any) -> list[dict[str, Any]]:
    """`helm template` of the chart with `base` (the CI values) and `overrides`: every manifest, parsed."""
    with helm.Chart.load(str(CHART)) as chart:
        rendered = chart.render(merged(base, overrides), name=RELEASE, namespace="dealbell")
    docs = [
        doc
        for path, text in rendered.items()
        if path.endswith((".yaml", ".yml"))
        for doc in yaml.safe_load_all(text)
        if doc
    ]
    for doc in docs:
        check_shape(doc)
    return docs


def one(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, (
        f"expected one {kind} {name or ''}, found {[d['metadata']['name'] for d in found]}"
    )
    return found[0]


def kinds(docs: list[dict[str, Any]]) -> list[str]:
    return sorted(d["kind"] for d in docs)


# --- the Kubernetes API's shapes, for the kinds the chart makes -----------------------------------------

API_VERSIONS = {
    "Deployment": "apps/v1",
    "Service": "v1",
    "Secret": "v1",
    "Job": "batch/v1",
    "PodDisruptionBudget": "policy/v1",
    "Ingress": "networking.k8s.io/v1",
}


def check_shape(doc: dict[str, Any]) -> None:
    kind = doc["kind"]
    assert doc["apiVersion"] == API_VERSIONS[kind], f"{kind} is {API_VERSIONS[kind]}, not {doc['apiVersion']}"
    meta = doc["metadata"]
    assert DNS_LABEL.match(meta["name"]) and len(meta["name"]) <= 63, meta["name"]
    for mapping in (meta.get("labels", {}), meta.get("annotations", {})):
        assert all(isinstance(v, str) for v in mapping.values()), (
            f"{kind} label/annotation not a string: {mapping}"
        )
    {
        "Deployment": check_deployment,
        "Job": lambda d: check_pod(d["spec"]["template"], job=True),
        "Service": check_service,
        "Secret": check_secret,
        "PodDisruptionBudget": check_pdb,
        "Ingress": check_ingress,
    }[kind](doc)


def check_deployment(doc: dict[str, Any]) -> None:
    spec = doc["spec"]
    assert isinstance(spec["replicas"], int) and spec["replicas"] >= 1
    selector = spec["selector"]["matchLabels"]
    labels = spec["template"]["metadata"]["labels"]
    assert selector.items() <= labels.items(), "the selector must match the pod template's labels"
    check_pod(spec["template"], job=False)


def check_pod(template: dict[str, Any], *, job: bool) -> None:
    pod = template["spec"]
    if job:
        assert pod["restartPolicy"] in ("Never", "OnFailure")
    volumes = {v["name"] for v in pod.get("volumes", [])}
    for container in pod["containers"]:
        assert DNS_LABEL.match(container["name"]) and isinstance(container["image"], str)
        assert all(isinstance(arg, str) for arg in container.get("args", []))
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        assert all(isinstance(p, int) and 0 < p < 65536 for p in ports.values())
        for env in container.get("env", []):
            assert set(env) in ({"name", "value"}, {"name", "valueFrom"}), env
            assert "value" not in env or isinstance(env["value"], str), f"env values are strings: {env}"
        for source in container.get("envFrom", []):
            assert isinstance(source["secretRef"]["name"], str)
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            if probe in container:
                port = container[probe]["httpGet"]["port"]
                assert port in ports or isinstance(port, int), f"{probe} names no port of the container"
        for mount in container.get("volumeMounts", []):
            assert mount["name"] in volumes and mount["mountPath"].startswith("/")
        for section in container.get("resources", {}).values():
            assert all(QUANTITY.match(str(q)) for q in section.values()), section


def check_service(doc: dict[str, Any]) -> None:
    spec = doc["spec"]
    assert spec["type"] in ("ClusterIP", "NodePort", "LoadBalancer")
    assert all(isinstance(p["port"], int) for p in spec["ports"])


def check_secret(doc: dict[str, Any]) -> None:
    assert all(isinstance(v, str) and v for v in doc["stringData"].values()), "stringData holds strings"


def check_pdb(doc: dict[str, Any]) -> None:
    spec = doc["spec"]
    assert ("minAvailable" in spec) != ("maxUnavailable" in spec)
    assert spec["selector"]["matchLabels"]


def check_ingress(doc: dict[str, Any]) -> None:
    for rule in doc["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            assert path["pathType"] in ("Prefix", "Exact", "ImplementationSpecific")
            assert path["path"].startswith("/")
            service = path["backend"]["service"]
            assert service["name"] and ("name" in service["port"] or "number" in service["port"])


# --- the tests -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [{}, CI_VALUES], ids=["default values", "ci values"])
def test_helm_lint_finds_nothing_to_fix(values: dict[str, Any]) -> None:
    report = helm.lint(str(CHART), values, strict=True, kube_version="v1.30.0")
    problems = [m for m in report["messages"] if m["severity"] >= 2]  # 2: warning, 3: error
    assert report["errors"] == [] and problems == [], report


def test_deployment_serves_with_replicas_probes_and_the_secret() -> None:
    docs = render(replicaCount=3)
    assert kinds(docs) == [
        "Deployment",
        "Ingress",
        "Job",
        "PodDisruptionBudget",
        "Secret",
        "Secret",
        "Service",
    ]
    deployment = one(docs, "Deployment")
    assert deployment["spec"]["replicas"] == 3
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == ["dealbell", "run", "--http"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["PORT"] == str(container["ports"][0]["containerPort"])
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
    secret = one(docs, "Secret", RELEASE)
    assert [s["secretRef"]["name"] for s in container["envFrom"]] == [RELEASE]
    assert secret["stringData"] == {
        "DATABASE_URL": CI_VALUES["database"]["url"],
        "SLACK_SIGNING_SECRET": CI_VALUES["slack"]["signingSecret"],
        "SLACK_BOT_TOKEN": CI_VALUES["slack"]["botToken"],
        "DEALBELL_SECRET_KEY": CI_VALUES["secretKey"],
    }
    service = one(docs, "Service")
    assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert service["spec"]["ports"][0]["targetPort"] == container["ports"][0]["name"]


def test_migration_job_runs_db_upgrade_once_per_release_before_the_pods() -> None:
    docs = render()
    job = one(docs, "Job")
    hooks = job["metadata"]["annotations"]
    assert hooks["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert "hook-succeeded" in hooks["helm.sh/hook-delete-policy"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["dealbell", "db", "upgrade"]
    # Its Secret is a hook made before it: on a first install the chart's Secret comes after the hooks.
    (source,) = container["envFrom"]
    secret = one(docs, "Secret", source["secretRef"]["name"])
    secret_hooks = secret["metadata"]["annotations"]
    assert secret_hooks["helm.sh/hook"] == hooks["helm.sh/hook"]
    assert int(secret_hooks["helm.sh/hook-weight"]) < int(hooks["helm.sh/hook-weight"])
    assert secret["stringData"]["DATABASE_URL"] == CI_VALUES["database"]["url"]

    assert "Job" not in kinds(render(migration={"enabled": False}))


def test_ingress_is_optional_and_routes_slack_to_the_service() -> None:
    assert "Ingress" not in kinds(render(ingress={"enabled": False}))
    docs = render(ingress={"enabled": True, "className": "nginx"})
    ingress, service = one(docs, "Ingress"), one(docs, "Service")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    (path,) = ingress["spec"]["rules"][0]["http"]["paths"]
    assert path["path"] == "/slack"
    backend = path["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_disruption_budget_keeps_a_pod_only_when_there_are_several() -> None:
    docs = render(replicaCount=2)
    budget, deployment = one(docs, "PodDisruptionBudget"), one(docs, "Deployment")
    assert budget["spec"]["minAvailable"] < deployment["spec"]["replicas"]
    assert budget["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    assert "PodDisruptionBudget" not in kinds(render(replicaCount=1))  # it would block every drain


def test_existing_secret_replaces_the_charts_secrets() -> None:
    docs = render(
        existingSecret="dealbell-settings", database={"url": ""}, slack={"botToken": "", "signingSecret": ""}
    )
    assert "Secret" not in kinds(docs)
    for workload in (one(docs, "Deployment"), one(docs, "Job")):
        (container,) = workload["spec"]["template"]["spec"]["containers"]
        assert container["envFrom"] == [{"secretRef": {"name": "dealbell-settings"}}]


def test_oauth_settings_go_into_the_secret_instead_of_a_bot_token() -> None:
    oauth = {"botToken": "", "clientId": "123.456", "clientSecret": "client-secret", "stateSecret": "state"}
    secret = one(render(slack=oauth), "Secret", RELEASE)["stringData"]
    assert "SLACK_BOT_TOKEN" not in secret
    assert (secret["SLACK_CLIENT_ID"], secret["SLACK_CLIENT_SECRET"], secret["SLACK_STATE_SECRET"]) == (
        "123.456",
        "client-secret",
        "state",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"database": {"url": ""}}, "set database.url"),
        ({"slack": {"signingSecret": ""}}, "set slack.signingSecret"),
        ({"slack": {"botToken": ""}}, "set slack.botToken (one workspace) or slack.clientId"),
        ({"slack": {"botToken": "", "clientId": "123.456"}}, "set slack.clientSecret with slack.clientId"),
    ],
)
def test_missing_settings_stop_the_render_naming_the_value(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(helm.HelmError, match=re.escape(message)):
        render(**overrides)


def readme_helm_values() -> dict[str, Any]:
    """The values the README's `helm upgrade --install` command sets, as Helm parses its `--set`s."""
    text = (REPO / "README.md").read_text()
    command = re.search(r"^helm upgrade --install .*?(?<!\\)\n", text, re.M | re.S)[0].replace("\\\n", " ")
    words = shlex.split(command)
    values: dict[str, Any] = {}
    for flag, value in itertools.pairwise(words):
        if flag == "--set":
            values = merged(values, helm.parse_set_string(value))
    return values


def test_readme_helm_command_deploys_with_an_ingress_to_slack() -> None:
    docs = render(base={}, **readme_helm_values())
    (container,) = one(docs, "Deployment")["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "registry.example.com/dealbell:0.1.0"
    secret = one(docs, "Secret", RELEASE)["stringData"]
    assert secret["DATABASE_URL"].startswith("postgresql://") and secret["SLACK_BOT_TOKEN"].startswith(
        "xoxb-"
    )
    (rule,) = one(docs, "Ingress")["spec"]["rules"]
    assert rule["host"] == "dealbell.example.com"
    assert [p["path"] for p in rule["http"]["paths"]] == ["/slack"]


def test_every_value_is_documented() -> None:
    """Each top-level value in values.yaml has a comment: on the line above it, or inside its block."""
    lines = (CHART / "values.yaml").read_text().splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^\w+:", line)]
    undocumented = []
    for n, i in enumerate(starts):
        block = lines[i + 1 : starts[n + 1] if n + 1 < len(starts) else len(lines)]
        above = lines[i - 1] if i else ""
        if not above.startswith("#") and not any(line.strip().startswith("# --") for line in block):
            undocumented.append(lines[i].split(":")[0])
    assert undocumented == [], f"values.yaml: no comment for {undocumented}"
