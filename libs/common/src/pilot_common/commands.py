"""Commands: what a service can be asked to do, as typed values, and the one table that says who handles each.

A command is a frozen dataclass (`Command`) naming what is asked and with what; the API and the tests build them,
mypy checks them. Each service lists its commands in `domain/commands.py` and maps each to one handler in its
`COMMAND_HANDLERS` table (`CommandTable`), beside the table of incoming events (`service.HandlerTable`); the table is
checked when the service starts, so a command without a handler (or a handler for no command) never runs.

Most commands change one aggregate: they say which (`AggregateCommand.target`) and what to do with it (`apply`); the
service loads it, applies the command and saves it, so "load, call, save" is written once per service.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate


@dataclass(frozen=True, kw_only=True)
class Command:
    """A request to change the state of a service, typed; handled by the entry of its class in the command table."""


A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True, kw_only=True)
class AggregateCommand(Command, Generic[A]):
    """A command to one aggregate: the service loads `target`, calls `apply` and saves what it changed."""

    #: The aggregate class the command is for (set by each subclass family, e.g. programme commands).
    aggregate: ClassVar[type[Aggregate]]

    @property
    def target(self) -> UUID:
        raise NotImplementedError

    def apply(self, aggregate: A) -> Any:
        """Calls the aggregate's command method; may return what the method returns (e.g. a new item's id)."""
        raise NotImplementedError


class CommandTableError(Exception):
    """The command table does not match the service's commands (raised at startup)."""


class UnknownCommand(Exception):
    """A command was given that the service's table does not know (a programming error, never user input)."""


S = TypeVar("S")


class CommandTable(Generic[S]):
    """Which handler takes which command: one explicit table per service, one handler per command class.

    A handler is a function (usually an unbound method of the service) taking the service and the command.
    """

    def __init__(self, handlers: Mapping[type[Command], Callable[[S, Any], Any]]) -> None:
        self.handlers = dict(handlers)

    @property
    def commands(self) -> list[type[Command]]:
        return sorted(self.handlers, key=lambda c: c.__name__)

    def handle(self, service: S, command: Command) -> Any:
        handler = self.handlers.get(type(command))
        if handler is None:
            raise UnknownCommand(f"{type(command).__name__} has no handler in the command table")
        return handler(service, command)

    def check(self, declared: Iterable[type[Command]]) -> None:
        """Fails loudly unless every declared command has exactly one handler and every entry is a declared command."""
        expected = set(declared)
        problems = []
        unhandled = sorted(c.__name__ for c in expected - self.handlers.keys())
        unknown = sorted(c.__name__ for c in self.handlers.keys() - expected)
        if unhandled:
            problems.append(f"commands without a handler: {unhandled}")
        if unknown:
            problems.append(f"handlers for commands the service does not declare: {unknown}")
        not_callable = sorted(c.__name__ for c, h in self.handlers.items() if not callable(h))
        if not_callable:
            problems.append(f"handlers that are not callable: {not_callable}")
        if problems:
            raise CommandTableError("; ".join(problems))


def commands_in(module: ModuleType) -> list[type[Command]]:
    """The concrete commands a module declares (its `Command` subclasses that are not bases of others there)."""
    found = [
        value
        for value in vars(module).values()
        if inspect.isclass(value) and issubclass(value, Command) and value.__module__ == module.__name__
    ]
    return [c for c in found if not any(other is not c and issubclass(other, c) for other in found)]
