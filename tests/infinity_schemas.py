"""Pexip's published JSON schemas (`@pexip/infinity-api`, vendored in data/pexip_infinity_api)
and a check of everything a simulator's `SchemaRecorder` saw against them.

Replies are checked with the validator Pexip's own SDK uses for that operation and HTTP
status (`validate<Operation><status>`). Where the package has no validator for a status
(a 400 for a missing display name, say), the reply must still have the protocol's general
shape `{"status": "failed", "result": <text>}`. Events: participant objects
(`participant_create`/`participant_update`) against the package's `Participant`,
`conference_update` against its conference `Result`; the package has no schemas for the
other events, so those are checked against the shapes of the protocol document
(EVENT_SHAPES below, ours, not Pexip's).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

from kiosk.simulator.schema_recorder import RecordedEvent, RecordedReply, SchemaRecorder

SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "pexip_infinity_api" / "schemas.json"
DOCUMENT_URI = "urn:pexip:infinity-api"
PARTICIPANT = "#/definitions/participants/properties/200/definitions/Participant"
CONFERENCE = "#/definitions/conference_status/properties/200/definitions/Result"
GENERAL_FAILURE: Mapping[str, Any] = {
    "type": "object",
    "properties": {"status": {"enum": ["failed"]}, "result": {"type": "string"}},
    "required": ["status", "result"],
}
_TEXT = {"type": "string"}
# The protocol document's event shapes, for the events the package has no schema for.
EVENT_SHAPES: Mapping[str, Mapping[str, Any]] = {
    "participant_sync_begin": {"type": "null"},
    "participant_sync_end": {"type": "null"},
    "participant_delete": {"type": "object", "properties": {"uuid": _TEXT},
                           "required": ["uuid"]},
    "disconnect": {"type": "object", "properties": {"reason": _TEXT}, "required": ["reason"]},
    "call_disconnected": {"type": "object",
                          "properties": {"call_uuid": _TEXT, "reason": _TEXT},
                          "required": ["call_uuid", "reason"]},
    "refresh_token": {"type": "object"},
    "new_offer": {"type": "object", "properties": {"sdp": _TEXT}, "required": ["sdp"]},
    "update_sdp": {"type": "object", "properties": {"sdp": _TEXT}, "required": ["sdp"]},
}


class InfinitySchemas:
    """The vendored schemas, ready to validate replies and events."""

    def __init__(self, path: Path = SCHEMA_FILE) -> None:
        vendored = json.loads(path.read_text(encoding="utf-8"))
        self.source: str = vendored["source"]
        self._validators: dict[str, str] = vendored["validators"]
        resource = Resource.from_contents(vendored["document"], default_specification=DRAFT6)
        self._registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
        self._document = vendored["document"]

    def pointer(self, operation: str, status: int) -> str | None:
        """Where in the document the schema of `operation`'s `status` reply is, if anywhere."""
        return self._validators.get(f"validate{operation}{status}")

    def _validator(self, pointer: str) -> Draft6Validator:
        return Draft6Validator({"$ref": DOCUMENT_URI + pointer}, registry=self._registry)

    def _problems(self, schema_pointer: str | None, instance: Any,
                  schema: Mapping[str, Any] | None = None) -> list[str]:
        validator = (self._validator(schema_pointer) if schema_pointer is not None
                     else Draft6Validator(schema or {}))
        found: list[str] = []
        pending = list(validator.iter_errors(instance))
        while pending:
            error = pending.pop(0)
            if error.context:  # oneOf/anyOf: the reasons inside say more than "not valid"
                pending.extend(error.context)
                continue
            where = "/".join(str(p) for p in error.absolute_path) or "(top)"
            found.append(f"{where}: {error.message[:160]}")
        return found

    def _is_text_schema(self, pointer: str) -> bool:
        node: Any = self._document
        for part in pointer.removeprefix("#/").split("/"):
            node = node[part]
        return node == {"type": "string"}

    def reply_problems(self, reply: RecordedReply) -> list[str]:
        """What is wrong with one reply ([] when it matches)."""
        if reply.operation in ("", "Status"):
            return []  # no schema in the package (GET /status, an unknown path)
        pointer = self.pointer(reply.operation, reply.status)
        if pointer is None:
            if reply.status < 400:
                return [f"no published schema for a {reply.status} reply to {reply.operation}"]
            return self._problems(None, reply.body, GENERAL_FAILURE)
        if self._is_text_schema(pointer):
            return self._problems(pointer, reply.text)  # Pexip's SDK reads these as text
        return self._problems(pointer, reply.body)

    def event_problems(self, event: RecordedEvent) -> list[str]:
        """What is wrong with one event ([] when it matches, or nothing is known of it)."""
        if event.name in ("participant_create", "participant_update"):
            return self._problems(PARTICIPANT, event.data)
        if event.name == "conference_update":
            return self._problems(CONFERENCE, event.data)
        shape = EVENT_SHAPES.get(event.name)
        return self._problems(None, event.data, shape) if shape is not None else []

    def check(self, replies: Iterable[RecordedReply], events: Iterable[RecordedEvent]
              ) -> list[str]:
        """Every problem, one line each (deliberate deviations are left out)."""
        lines: list[str] = []
        for reply in replies:
            if reply.off_schema:
                continue
            for problem in self.reply_problems(reply):
                lines.append(f"{reply.operation} {reply.status} ({reply.path}): {problem}")
        for event in events:
            if event.off_schema:
                continue
            for problem in self.event_problems(event):
                lines.append(f"event {event.name}: {problem}")
        return sorted(set(lines))


@cache
def infinity_schemas() -> InfinitySchemas:
    """The vendored schemas (loaded once)."""
    return InfinitySchemas()


def assert_matches_pexip_schemas(recorder: SchemaRecorder) -> None:
    """Fail with every deviation of what `recorder` saw from Pexip's schemas."""
    problems = infinity_schemas().check(recorder.replies, recorder.events)
    assert not problems, (
        "the simulator sent replies or events that do not match "
        f"{infinity_schemas().source}:\n  " + "\n  ".join(problems[:40]))
