"""Writes the openAPIV3Schema of each CustomResourceDefinition version to deploy/schemas/<group>/<kind>_<version>.json.

    uv run python scripts/vendor-crd-schemas.py CRD.yaml [CRD.yaml ...]

The manifests test validates the custom resources of `kustomize build` against these files offline; where each
CRD came from (repository, commit, path) is listed in deploy/schemas/SOURCES.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parents[1] / "deploy" / "schemas"


def main(paths: list[str]) -> None:
    for path in paths:
        for doc in yaml.safe_load_all(Path(path).read_text()):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            for version in spec["versions"]:
                if not version.get("served", True):
                    continue
                schema = version["schema"]["openAPIV3Schema"]
                target = OUT / spec["group"] / f"{spec['names']['kind'].lower()}_{version['name']}.json"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(schema, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")
                print(target.relative_to(OUT.parents[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
