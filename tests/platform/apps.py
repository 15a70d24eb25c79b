"""Two small services used to test the platform: a ledger that publishes and a tally that consumes."""

from __future__ import annotations

from typing import ClassVar

from eventsourcing.domain import event
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from pilot_common.aggregate import AuditedAggregate
from pilot_common.contracts.events.base import IntegrationEvent
from pilot_common.publishing import PublicationTable, publish
from pilot_common.service import HandlerTable, Handling, ServiceApplication
from tests.schema import with_platform_tables

LEDGER_TYPES = ["ledger.Entry.Created", "ledger.Entry.Amended"]


class EntryCreated(IntegrationEvent):
    event_type: ClassVar[str] = "ledger.Entry.Created"
    entry_id: str
    amount: int
    note: str


class EntryAmended(IntegrationEvent):
    event_type: ClassVar[str] = "ledger.Entry.Amended"
    entry_id: str
    amount: int


class Entry(AuditedAggregate):
    def __init__(self, amount: int, note: str) -> None:
        self.amount = amount
        self.note = note

    @event("Amended")
    def amend(self, amount: int) -> None:
        self.amount = amount


LEDGER_PUBLICATIONS = PublicationTable(
    "ledger",
    (EntryCreated, EntryAmended),
    [
        publish(
            Entry,
            "Created",
            EntryCreated,
            lambda e: EntryCreated(entry_id=str(e.originator_id), amount=e.amount, note=e.note),
        ),
        publish(Entry, "Amended", EntryAmended, lambda e: EntryAmended(entry_id=str(e.originator_id), amount=e.amount)),
    ],
)


class Ledger(ServiceApplication):
    service: ClassVar[str] = "ledger"
    publications: ClassVar[PublicationTable] = LEDGER_PUBLICATIONS

    def __init__(self, database_url: str) -> None:
        super().__init__(with_platform_tables(database_url, "ledger"))

    def record(self, amount: int, note: str = "") -> Entry:
        entry = Entry(amount=amount, note=note)
        self.save(entry)
        return entry


class Milestone(AuditedAggregate):
    """Created by the tally for every 1000th entry: a new event written with the tracking record."""

    def __init__(self, upstream_id: int) -> None:
        self.upstream_id = upstream_id


tally_metadata = MetaData()
# No unique constraint on purpose: a second effect of the same event would show as a second row.
effects = Table(
    "tally_effects",
    tally_metadata,
    Column("row_id", Integer, primary_key=True, autoincrement=True),
    Column("notification_id", Integer, nullable=False),
    Column("entry_id", String(36), nullable=False),
    Column("amount", Integer, nullable=False),
)


def on_entry_created(event: EntryCreated, handling: Handling) -> None:
    if event.note == "poison":
        raise ValueError("this entry can never be tallied")
    notification_id = handling.envelope.notificationid
    handling.session.execute(
        insert(effects).values(notification_id=notification_id, entry_id=event.entry_id, amount=event.amount)
    )
    if notification_id % 1000 == 0:
        handling.collect(Milestone(upstream_id=notification_id))


TALLY_HANDLERS = HandlerTable({EntryCreated: on_entry_created}, ignores=["ledger.Entry.Amended"])


class Tally(ServiceApplication):
    service: ClassVar[str] = "tally"

    def __init__(self, database_url: str) -> None:
        super().__init__(with_platform_tables(database_url, "tally", tally_metadata), TALLY_HANDLERS)
        TALLY_HANDLERS.check({"ledger": LEDGER_TYPES})

    def effect_counts(self) -> tuple[int, int]:
        """(rows, distinct notification ids) of the tally's read model."""
        with self.reading() as session:
            rows = session.execute(select(func.count()).select_from(effects)).scalar_one()
            distinct = session.execute(select(func.count(func.distinct(effects.c.notification_id)))).scalar_one()
        return int(rows), int(distinct)

    def milestones(self) -> int:
        return sum(1 for n in self.recorder.select_notifications(start=None, limit=10_000) if "Milestone" in n.topic)
