"""The three services side by side without a broker: each producer's committed events are turned into envelopes
by its own publication table (`envelope_for`, exactly as the relay does) and handed to each consumer's
`process_event` with a tracking record (exactly as the consumer does), on SQLite files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from eventsourcing.persistence import Tracking

from application_intake.application import ApplicationIntake
from application_intake.bootstrap import build_intake
from evaluation.application import EvaluationService
from evaluation.bootstrap import build_evaluation
from pilot_common.context import Actor, CallContext, Role, acting
from pilot_common.envelope import EventEnvelope, envelope_for
from pilot_common.service import ServiceApplication
from pilot_common.settings import ServiceSettings
from pilot_common.transport.inprocess import InProcessBus
from pilot_registry.application import PilotRegistry
from pilot_registry.bootstrap import build_registry
from tests.schema import migrated
from tests.services.intake_support import IN_WINDOW

MINISTRY = Actor(user_id="mee.li", role=Role.MINISTRY, organisation="MEE")
JIANGSU = Actor(user_id="js.wang", role=Role.PROVINCE, province="320000")


def published(app: ServiceApplication, after: int = 0) -> list[EventEnvelope]:
    """Every envelope the relay would publish from `app`'s notification log after position `after`."""
    notifications = app.recorder.select_notifications(start=after, limit=100_000, inclusive_of_start=False)
    return [e for n in notifications if (e := envelope_for(app.publications, n, app.mapper)) is not None]


@contextmanager
def as_actor(actor: Actor) -> Iterator[None]:
    with acting(CallContext(actor=actor)):
        yield


@dataclass
class World:
    registry: PilotRegistry
    intake: ApplicationIntake
    evaluation: EvaluationService
    #: (consumer service, event type) → how many messages of that type its handler took.
    handled: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: (producer, consumer) → the producer's notification id delivered up to.
    positions: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def apps(self) -> dict[str, ServiceApplication]:
        return {app.service: app for app in (self.registry, self.intake, self.evaluation)}

    def deliver(self, producer: ServiceApplication, consumer: ServiceApplication) -> list[str]:
        """Hands the producer's new envelopes to the consumer; returns the types its handlers took."""
        key = (producer.service, consumer.service)
        took = []
        for envelope in published(producer, self.positions.get(key, 0)):
            tracking = Tracking(f"{envelope.upstream}#p0", envelope.notificationid)
            actor = Actor(user_id=f"service:{consumer.service}", role=Role.SERVICE)
            ctx = CallContext(actor=actor, correlation_id=envelope.correlationid, causation_id=envelope.id)
            with acting(ctx):
                consumer.process_event(envelope, tracking)
            self.positions[key] = envelope.notificationid
            if envelope.type in consumer.handlers.handles:
                self.handled[(consumer.service, envelope.type)] += 1
                took.append(envelope.type)
        return took

    def settle(self) -> None:
        """Delivers until no consumer takes anything new (events cause events)."""
        routes = [
            (self.registry, self.intake),
            (self.registry, self.evaluation),
            (self.intake, self.evaluation),
            (self.evaluation, self.intake),
            (self.evaluation, self.registry),
        ]
        while any([self.deliver(producer, consumer) for producer, consumer in routes]):
            pass


def build_world(folder: Path) -> World:
    def settings(service: str) -> ServiceSettings:
        url = migrated(service, f"sqlite:///{folder}/{service}.db")
        return ServiceSettings(service_name=service, database_url=url, clock_start=IN_WINDOW)

    bus = InProcessBus()  # only to assemble the services: nothing is started, nothing crosses it
    registry = build_registry(settings("pilot-registry"), bus, seed=True).runtime.app
    intake = build_intake(settings("application-intake"), bus).runtime.app
    evaluation = build_evaluation(settings("evaluation"), bus).runtime.app
    assert isinstance(registry, PilotRegistry)
    assert isinstance(intake, ApplicationIntake)
    assert isinstance(evaluation, EvaluationService)
    return World(registry, intake, evaluation)
