"""The AsyncAPI 3 document of the published contract, generated from the integration-event models.

`python -m pilot_common.contracts.asyncapi > docs/asyncapi.yaml` writes it; a test fails when the checked-in file
differs from a fresh generation. Channels are the three topics and their dead-letter topics; each message is one
model, wrapped in the CloudEvents envelope (structured mode) whose `data` is the model and whose `schemaversion` is
the model's.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from pilot_common.contracts.events import PUBLISHED, IntegrationEvent
from pilot_common.envelope import EventEnvelope

_SCHEMAS = "#/components/schemas/{model}"
_TOPIC_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "Kafka record headers set by the relay (the CloudEvents attributes are also in the payload)",
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "Stable per (service, aggregate, version)"},
        "ce_type": {"type": "string", "description": "The event type, e.g. pilot-registry.Finding.Recorded"},
        "ce_source": {"type": "string", "description": "/services/<service>"},
        "content-type": {"type": "string", "const": "application/cloudevents+json"},
        "upstream": {"type": "string", "description": "The publishing service"},
        "notification_id": {"type": "string", "description": "Position in the publisher's notification log"},
        "correlation_id": {"type": "string"},
    },
}
_DLQ_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "The original record's headers, plus why and where the consumer gave up on it",
    "properties": {
        **_TOPIC_HEADERS["properties"],
        "dlq_error_type": {"type": "string", "description": "e.g. ContractViolation"},
        "dlq_error": {"type": "string", "description": "The reason (first 2,000 characters)"},
        "dlq_attempts": {"type": "string"},
        "dlq_consumer": {"type": "string", "description": "The consumer group that gave up"},
        "dlq_source": {"type": "string", "description": "<topic>/<partition>/<offset> of the original record"},
    },
}


def _camel(name: str) -> str:
    parts = name.replace(".", "-").split("-")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def _doc(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


def _message(model: type[IntegrationEvent], dead_letter: bool) -> dict[str, Any]:
    envelope = {
        "allOf": [
            {"$ref": _SCHEMAS.format(model="EventEnvelope")},
            {
                "type": "object",
                "properties": {
                    "type": {"const": model.event_type},
                    "schemaversion": {"const": model.schema_version},
                    "data": {"$ref": _SCHEMAS.format(model=model.__name__)},
                },
            },
        ]
    }
    message: dict[str, Any] = {
        "name": model.event_type,
        "title": f"{model.event_type} v{model.schema_version}",
        "contentType": "application/cloudevents+json",
        "headers": {"$ref": _SCHEMAS.format(model="DeadLetterHeaders" if dead_letter else "RecordHeaders")},
        "payload": envelope,
        "correlationId": {"location": "$message.payload#/correlationid"},
        "bindings": {
            "kafka": {"key": {"type": "string", "description": "The aggregate id (one aggregate, one partition)"}}
        },
        "x-schema-version": model.schema_version,
    }
    if summary := _doc(model):
        message["summary"] = summary
    if model.upcasters:
        message["description"] = (
            f"Schema version {model.schema_version}; consumers upcast versions "
            f"{', '.join(str(v) for v in sorted(model.upcasters))} to it."
        )
    return message


def document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document as plain data (stable order: services and models as catalogued)."""
    models = [m for service in PUBLISHED for m in PUBLISHED[service]]
    _, definitions = models_json_schema(
        [(EventEnvelope, "validation"), *((m, "validation") for m in models)], ref_template=_SCHEMAS
    )
    schemas: dict[str, Any] = {
        **definitions.get("$defs", {}),
        "RecordHeaders": _TOPIC_HEADERS,
        "DeadLetterHeaders": _DLQ_HEADERS,
    }
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for service, published in PUBLISHED.items():
        topic = f"{service}.events"
        for dead_letter in (False, True):
            address = f"{topic}.dlq" if dead_letter else topic
            channel_id = _camel(address)
            refs = {}
            for model in published:
                message_id = f"{model.__name__}{'DeadLetter' if dead_letter else ''}"
                messages[message_id] = _message(model, dead_letter)
                refs[model.__name__] = {"$ref": f"#/components/messages/{message_id}"}
            channels[channel_id] = {
                "address": address,
                "title": address,
                "description": (
                    f"Messages a consumer of {topic} could not handle: unreadable, not matching their contract "
                    "(ContractViolation, at once), or failing their handler after the retries."
                    if dead_letter
                    else f"What {service} publishes, in notification order, keyed by aggregate id. "
                    "Its other stored events are internal and never published."
                ),
                "messages": refs,
            }
            operations[f"{'deadLetter' if dead_letter else 'publish'}{channel_id[0].upper()}{channel_id[1:]}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "summary": (
                    f"A consumer of {topic} sends what it gives up on" if dead_letter else f"{service}'s outbox relay"
                ),
                "messages": [{"$ref": f"#/channels/{channel_id}/messages/{name}"} for name in refs],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "清洁生产审核创新试点 · integration events",
            "version": "1.0.0",
            "description": (
                "The public, versioned contract between pilot-registry, application-intake and evaluation. "
                "Generated from pilot_common.contracts.events by `python -m pilot_common.contracts.asyncapi`; "
                "do not edit by hand."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {
            "kafka": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "Topics are prefixed with PILOT_KAFKA_NAMESPACE on a shared cluster",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # every schema written out in full: no YAML anchors for a reader to chase


def render() -> str:
    return yaml.dump(document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
