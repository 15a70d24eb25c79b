"""The auditor's command line over the services' public audit APIs (an auditor's token; nothing is changed).

    pilot-audit verify   --service pilot-registry=http://…  --service application-intake=http://… …
    pilot-audit prove    --service pilot-registry=http://… --aggregate ID --version N
    pilot-audit history  --service pilot-registry=http://… --aggregate ID [--csv F] [--xlsx F]
    pilot-audit replay   --service evaluation=http://… [--service pilot-registry=http://…] --programme ID
    pilot-audit replay   --service application-intake=http://… --application ID

`replay --programme` re-derives the programme's published list from evaluation's stored events (up to the
publication) and compares it entry by entry with the published list, with evaluation's read models, and (given the
registry) with the pilots the registry created from it. `replay --application` re-evaluates each of the
application's verdicts from the snapshot it was made on.

`verify` checks every service's store (chain, Merkle log, its own checkpoints) and also against the checkpoints of
it that the other services witnessed and that this auditor holds (`--state`, a JSON file: the auditor is a witness
too: a new checkpoint must be consistent with the one held, proved with the service's consistency proof, and
signed by the key first seen). Exit status: 0 all verified, 1 damage or an inconsistency found, 2 could not check.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from openpyxl import Workbook
from rich.console import Console
from rich.progress import track
from rich.table import Table

from pilot_common.merkle import (
    Checkpoint,
    key_id,
    leaf_hash,
    load_public_key,
    unb64,
    verify_consistency,
    verify_inclusion,
)

BEIJING = ZoneInfo("Asia/Shanghai")
OK, DAMAGED, UNCHECKED = 0, 1, 2
ClientFor = Callable[[str], httpx.Client]

console = Console(stderr=False)


class Unreachable(Exception):
    """A service did not answer as an audit API should (exit status 2)."""


def _services(pairs: Sequence[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not url:
            raise SystemExit(f"--service takes name=url, not {pair!r}")
        found[name] = url.rstrip("/")
    return found


def _get(client: httpx.Client, path: str, **params: Any) -> Any:
    try:
        response = client.get(path, params={k: v for k, v in params.items() if v is not None})
    except httpx.HTTPError as e:
        raise Unreachable(f"{path}: {e}") from e
    if response.status_code != 200:
        raise Unreachable(f"{path}: {response.status_code} {response.text[:300]}")
    return response.json()


def _checkpoint(body: dict[str, Any]) -> Checkpoint:
    return Checkpoint(**{k: body[k] for k in ("origin", "size", "root_hash", "signed_at", "key_id", "signature")})


def beijing(moment: str | None) -> str:
    """An ISO instant as 北京时间: 2026-11-30 20:00:00 北京时间."""
    if not moment:
        return ""
    return datetime.fromisoformat(moment).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S 北京时间")


# --- the auditor's own witness copy --------------------------------------------------------------------------------


def _load_state(path: Path | None) -> dict[str, Any]:
    if path is None or not path.exists():
        return {}
    state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return state


def _witness(
    client: httpx.Client, name: str, head: dict[str, Any], held: dict[str, Any] | None
) -> tuple[str | None, dict[str, Any] | None]:
    """Checks the service's latest checkpoint against the one this auditor holds; returns (refusal, new holding)."""
    latest = head.get("latest_checkpoint")
    if latest is None:
        return None, held
    new = _checkpoint(latest)
    key = load_public_key(head["public_key"])
    if key_id(key) != new.key_id or not new.verify(key):
        return "BAD_SIGNATURE: the latest checkpoint is not signed by the published key", held
    if held is None:
        return None, {"key_id": new.key_id, "checkpoint": asdict(new)}
    old = Checkpoint(**held["checkpoint"])
    if held["key_id"] != new.key_id:
        return f"KEY_CHANGED: the service now signs with {new.key_id}, first seen {held['key_id']}", held
    if new.size < old.size:
        return f"ROLLBACK: the latest checkpoint has {new.size} leaves, this auditor holds one of {old.size}", held
    if new.size == old.size:
        return (None, held) if new.root_hash == old.root_hash else (f"FORK: two roots for size {new.size}", held)
    proof = _get(client, "/audit/log/consistency", first=old.size, second=new.size)["proof"]
    if not verify_consistency(
        old.size, new.size, unb64(old.root_hash), unb64(new.root_hash), [unb64(p) for p in proof]
    ):
        return f"INCONSISTENT: size {new.size} does not extend the held size {old.size}", held
    return None, {"key_id": new.key_id, "checkpoint": asdict(new)}


# --- commands --------------------------------------------------------------------------------------------------------


def verify(services: dict[str, str], client_for: ClientFor, state_file: Path | None) -> int:
    state = _load_state(state_file)
    clients = {name: client_for(url) for name, url in services.items()}
    heads, held_by_others, refused = _gather_checkpoints(clients)
    results: dict[str, Any] = {}
    for name, client in track(list(clients.items()), description="verifying stores…", console=console):
        refusal, holding = _witness(client, name, heads[name], state.get(name))
        if refusal:
            refused.append(("auditor", name, refusal))
        held = [*held_by_others[name]]
        if state.get(name):
            held.append({**state[name]["checkpoint"], "source": "auditor"})
        results[name] = _verify_store(client, name, held)
        if holding is not None and not refusal:
            state[name] = holding
    damaged = _print_verification(results, refused)
    if state_file is not None:
        state_file.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
    return DAMAGED if damaged else OK


def _gather_checkpoints(
    clients: dict[str, httpx.Client],
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], list[tuple[str, str, str]]]:
    """Each service's log head; the checkpoints of each service that the others witnessed and accepted (to check
    it against); and those they refused, as (holder, origin, reason)."""
    heads: dict[str, Any] = {}
    held_by_others: dict[str, list[dict[str, Any]]] = {name: [] for name in clients}
    refused: list[tuple[str, str, str]] = []
    for name, client in track(list(clients.items()), description="checkpoints…", console=console):
        heads[name] = _get(client, "/audit/log")
        for w in _get(client, "/audit/log/witnessed"):
            if w["status"] != "ACCEPTED":
                refused.append((f"witness:{name}", w["origin"], f"{w['reason']} ({beijing(w['recorded_at'])})"))
            elif w["origin"] in held_by_others:
                held_by_others[w["origin"]].append({**w, "source": f"witness:{name}"})
    return heads, held_by_others, refused


def _verify_store(client: httpx.Client, name: str, held: list[dict[str, Any]]) -> Any:
    """The service's own report on its store, checked against the checkpoints held elsewhere."""
    try:
        response = client.post("/audit/verify/held-checkpoints", json={"checkpoints": held})
    except httpx.HTTPError as e:
        raise Unreachable(f"{name}: {e}") from e
    if response.status_code != 200:
        raise Unreachable(f"{name} /audit/verify: {response.status_code} {response.text[:300]}")
    return response.json()


def _print_verification(results: dict[str, Any], refused: list[tuple[str, str, str]]) -> bool:
    """The table of every service's store, then the problems and refusals; True when anything is damaged."""
    table = Table(title="存储校验 · store verification")
    for column in ("service", "events", "leaves", "checkpoints", "latest signed", "result"):
        table.add_column(column)
    damaged = bool(refused)
    for name, report in results.items():
        latest = report.get("latest_checkpoint") or {}
        codes = sorted({p["code"] for p in report["problems"]})
        damaged = damaged or not report["ok"]
        table.add_row(
            name,
            str(report["events_checked"]),
            str(report.get("leaves")),
            str(len(report.get("checkpoints", []))),
            f"{latest.get('size', '-')} @ {beijing(latest.get('signed_at'))}",
            "[green]OK[/]" if report["ok"] else f"[red]{', '.join(codes)}[/]",
        )
    console.print(table)
    for name, report in results.items():
        for p in report["problems"][:20]:
            console.print(f"[red]{name}[/] {p['code']}: {p['detail']} {p.get('originator_id') or ''}")
    for holder, origin, reason in refused:
        console.print(f"[red]{origin}[/] checkpoint refused by {holder}: {reason}")
    return damaged


def prove(url: str, client_for: ClientFor, aggregate: str, version: int) -> int:
    client = client_for(url)
    head = _get(client, "/audit/log")
    latest = head.get("latest_checkpoint")
    if latest is None:
        console.print("no signed checkpoint yet: sign one first (POST /audit/log/checkpoints)")
        return UNCHECKED
    checkpoint = _checkpoint(latest)
    key = load_public_key(head["public_key"])
    proof = _get(client, "/audit/log/inclusion", aggregate_id=aggregate, version=version, tree_size=checkpoint.size)
    leaf = leaf_hash(unb64(proof["leaf_data"]))
    included = verify_inclusion(
        leaf, proof["leaf_index"], checkpoint.size, [unb64(p) for p in proof["path"]], unb64(checkpoint.root_hash)
    )
    signed = checkpoint.verify(key) and key_id(key) == checkpoint.key_id
    if included and signed:
        console.print(
            f"[green]included[/]: {aggregate} v{version} is leaf {proof['leaf_index']} of the log of "
            f"{checkpoint.size} signed {beijing(checkpoint.signed_at)} by key {checkpoint.key_id}"
        )
        return OK
    console.print(
        f"[red]NOT PROVEN[/]: inclusion {'ok' if included else 'fails'}, signature {'ok' if signed else 'fails'}"
    )
    return DAMAGED


HISTORY_COLUMNS = (
    "version",
    "type",
    "recorded_at",
    "actor_user_id",
    "actor_role",
    "actor_province",
    "correlation_id",
    "causation_id",
    "hash",
    "damage",
    "data",
)


def history_rows(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **{k: e.get(k) for k in HISTORY_COLUMNS},
            "recorded_at": beijing(e.get("recorded_at")),
            "data": json.dumps(e.get("data"), ensure_ascii=False),
        }
        for e in events
    ]


def history(url: str, client_for: ClientFor, aggregate: str, csv_file: Path | None, xlsx_file: Path | None) -> int:
    events = _get(client_for(url), f"/audit/aggregates/{aggregate}/history")
    rows = history_rows(events)
    table = Table(title=f"{aggregate} 历史 · history (北京时间)")
    for column in ("version", "type", "recorded_at", "actor_user_id", "damage"):
        table.add_column(column)
    for row in track(rows, description="history…", console=console):
        table.add_row(*(str(row[c] or "") for c in ("version", "type", "recorded_at", "actor_user_id", "damage")))
    console.print(table)
    if csv_file is not None:
        with csv_file.open("w", newline="", encoding="utf-8-sig") as f:  # BOM: Excel reads the Chinese right
            writer = csv.DictWriter(f, fieldnames=HISTORY_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
    if xlsx_file is not None:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "history"
        sheet.append(list(HISTORY_COLUMNS))
        for row in rows:
            sheet.append([row[c] for c in HISTORY_COLUMNS])
        workbook.save(xlsx_file)
    return DAMAGED if any(r["damage"] for r in rows) else OK


# --- replaying decisions ---------------------------------------------------------------------------------------------


def compare_with_pilots(published: Sequence[dict[str, Any]], pilots: Sequence[dict[str, Any]]) -> list[str]:
    """The published entries against the registry's pilots of the programme: one pilot per entry, with the entry's
    project, type and province; no pilot without an entry."""
    found: list[str] = []
    by_application = {str(p.get("application_id")): p for p in pilots}
    for entry in published:
        application_id = str(entry["application_id"])
        pilot = by_application.pop(application_id, None)
        if pilot is None:
            found.append(f"PILOT_MISSING: entry {entry['position']} ({application_id}) has no pilot")
            continue
        for mine, theirs in (
            ("project_name", "project_name"),
            ("pilot_type", "pilot_type"),
            ("province", "province_code"),
        ):
            if entry.get(mine) != pilot.get(theirs):
                found.append(
                    f"PILOT_DIFFERS: pilot {pilot.get('id')} has {theirs} {pilot.get(theirs)!r}, the published entry "
                    f"{entry['position']} says {entry.get(mine)!r}"
                )
    for application_id, pilot in sorted(by_application.items()):
        found.append(f"PILOT_NOT_PUBLISHED: pilot {pilot.get('id')} (application {application_id}) is on no list")
    return found


def _pilots(client: httpx.Client, programme: str) -> list[dict[str, Any]]:
    pilots: list[dict[str, Any]] = []
    page = 1
    while True:
        body = _get(client, "/pilots", programme_id=programme, page=page, page_size=100)
        pilots.extend(body["items"])
        if len(pilots) >= body["total"] or not body["items"]:
            return pilots
        page += 1


def _events(events: Sequence[dict[str, Any]]) -> str:
    return ", ".join(f"{e['type']} v{e['version']} @{e['position']}" for e in events[:6]) + (
        " …" if len(events) > 6 else ""
    )


def replay_decision(services: dict[str, str], client_for: ClientFor, programme: str) -> int:
    if "evaluation" not in services:
        raise SystemExit("replay --programme needs --service evaluation=URL")
    result = _get(client_for(services["evaluation"]), f"/audit/decisions/{programme}/replay")
    table = Table(title=f"名单重放 · decision replay {programme} ({result['document_number']})")
    for column in ("position", "application", "published score", "replayed", "ranking position"):
        table.add_column(column)
    replayed = {e["application_id"]: e for e in result["replayed"]}
    for entry in result["published"]:
        mine = replayed.get(entry["application_id"], {})
        table.add_row(
            str(entry["position"]),
            f"{entry['application_id']} {entry.get('project_name', '')}",
            str(entry["score"]),
            "[green]same[/]" if mine == entry else f"[red]{mine.get('position', '-')} / {mine.get('score', '-')}[/]",
            str(entry["ranking_position"]),
        )
    console.print(table)
    console.print(
        f"published at {beijing(result['published_at'])}, notification position {result['published_position']}, "
        f"{result['proposals']} proposal(s) replayed"
    )
    for d in result["differences"]:
        console.print(f"[red]{d['code']}[/] {d['message_en']} — events: {_events(d['events'])}")
    for d in result["read_model_drift"]:
        console.print(f"[yellow]READ_MODEL_DRIFT[/] {d['message_en']} — from: {_events(d['events'])}")
    for note in result["notes"]:
        console.print(f"note: {note}")
    pilot_problems: list[str] = []
    if "pilot-registry" in services:
        pilots = _pilots(client_for(services["pilot-registry"]), programme)
        pilot_problems = compare_with_pilots(result["published"], pilots)
        for problem in pilot_problems:
            console.print(f"[red]{problem}[/]")
        if not pilot_problems:
            console.print(f"[green]the registry's {len(pilots)} pilots are the published entries[/]")
    if result["reproduced"] and not result["read_model_drift"] and not pilot_problems:
        console.print("[green]reproduced[/]: the events give exactly the published list")
        return OK
    return DAMAGED


def replay_verdicts(url: str, client_for: ClientFor, application: str) -> int:
    result = _get(client_for(url), f"/audit/applications/{application}/verdicts/replay")
    table = Table(title=f"资格审查结论重放 · verdict replay {application}")
    for column in ("version", "trigger", "programme version", "recorded", "replayed", "status"):
        table.add_column(column)
    for v in result["verdicts"]:
        colour = {"REPRODUCED": "green", "DIFFERS": "red"}.get(v["status"], "yellow")
        table.add_row(
            str(v["version"]),
            v["trigger"],
            str(v["programme_version"]),
            v["recorded_outcome"],
            str(v["replayed_outcome"] or "-"),
            f"[{colour}]{v['status']}[/]",
        )
    console.print(table)
    for v in result["verdicts"]:
        for d in v["differences"]:
            console.print(f"[red]v{v['version']}[/] {d['field']}: recorded {d['recorded']}, replayed {d['replayed']}")
        if v["reason"]:
            console.print(f"v{v['version']}: {v['reason']}")
    return OK if result["reproduced"] else DAMAGED


def run(argv: Sequence[str], client_for: ClientFor | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="pilot-audit", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--token", default=os.environ.get("PILOT_AUDIT_TOKEN"), help="bearer token (or PILOT_AUDIT_TOKEN)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="verify every service's store and checkpoints")
    v.add_argument("--service", action="append", required=True, metavar="NAME=URL")
    v.add_argument("--state", type=Path, help="the auditor's own checkpoint copies (JSON; kept between runs)")
    p = sub.add_parser("prove", help="prove that one event is in the service's signed log")
    p.add_argument("--service", required=True, metavar="NAME=URL")
    p.add_argument("--aggregate", required=True)
    p.add_argument("--version", type=int, required=True)
    h = sub.add_parser("history", help="show and export an aggregate's (e.g. an application's) history")
    h.add_argument("--service", required=True, metavar="NAME=URL")
    h.add_argument("--aggregate", required=True)
    h.add_argument("--csv", type=Path)
    h.add_argument("--xlsx", type=Path)
    r = sub.add_parser("replay", help="replay a published list (--programme) or an application's verdicts")
    r.add_argument("--service", action="append", required=True, metavar="NAME=URL")
    target = r.add_mutually_exclusive_group(required=True)
    target.add_argument("--programme", help="programme id: its published list, from evaluation (and the registry)")
    target.add_argument("--application", help="application id: its verdicts, from application-intake")
    args = parser.parse_args(list(argv))
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}

    def default_client(url: str) -> httpx.Client:
        return httpx.Client(base_url=url, headers=headers, timeout=600)

    make = client_for or default_client
    try:
        if args.command == "verify":
            return verify(_services(args.service), make, args.state)
        if args.command == "replay":
            services = _services(args.service)
            if args.programme:
                return replay_decision(services, make, args.programme)
            if "application-intake" not in services:
                raise SystemExit("replay --application needs --service application-intake=URL")
            return replay_verdicts(services["application-intake"], make, args.application)
        (url,) = _services([args.service]).values()
        if args.command == "prove":
            return prove(url, make, args.aggregate, args.version)
        return history(url, make, args.aggregate, args.csv, args.xlsx)
    except Unreachable as e:
        console.print(f"[red]could not check[/]: {e}")
        return UNCHECKED
