"""Sentences the session shows in a room: a code, its English source, and named parameters.

Below the UI nothing is translated. The session publishes a `Message`: it *is* the
English sentence (a `str`, so the CLI, the logs, the health endpoint and every
existing comparison keep working), and it carries its `code`, its untranslated
`source` and its `params`, so the UI renders it in the room's language with
`Translator.render(message)`.

Declaring one is one line, in the module that publishes it:

    LOCKED = fixed_message("meeting_locked", "The meeting is locked. Ask the host to let you in.")
    COOLDOWN = MessageText("pin_cooldown", "Too many wrong PINs. Try again in {seconds} s")
    WAITING = PluralText("guests_waiting", "{count} guest is waiting",
                         "{count} guests are waiting")
    ...
    publish(notice=LOCKED)                    # a fixed sentence is a Message already
    publish(notice=COOLDOWN(seconds=30))      # every "{name}" of the source as a keyword
    publish(notice=WAITING(count=3))

`fixed_message`, `MessageText` and `PluralText` are keywords of `pybabel extract` (babel.cfg,
`make i18n`): the English must be a literal there. `N_` marks any other literal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

ParamValue = str | int | float


def N_(source: str) -> str:
    """Mark `source` for extraction into the catalogue; returns it unchanged."""
    return source


class Message(str):
    """A room-visible sentence: the English text itself, plus code, source and parameters.

    `str(message)` and formatting give the English sentence. `plural` is set for
    counted messages (then `source` is the singular and `params[count_param]` the count).
    """

    code: str
    source: str
    plural: str | None
    count_param: str | None
    params: Mapping[str, ParamValue]

    def __new__(
        cls,
        code: str,
        source: str,
        params: Mapping[str, ParamValue] | None = None,
        plural: str | None = None,
        count_param: str | None = None,
    ) -> Message:
        values = MappingProxyType(dict(params or {}))
        template = source
        if plural is not None and count_param is not None and values.get(count_param) != 1:
            template = plural
        message = super().__new__(cls, template.format(**values))
        message.code = code
        message.source = source
        message.plural = plural
        message.count_param = count_param
        message.params = values
        return message

    def __str__(self) -> str:
        # `str(exc)` of an exception carrying a Message keeps the Message, not a copy.
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (Message, (self.code, self.source, dict(self.params), self.plural,
                          self.count_param))

    def __repr__(self) -> str:
        return f"Message({self.code!r}, {str.__str__(self)!r})"


def verbatim(code: str, text: str) -> Message:
    """Text that is shown as it is in every language (a reason the node wrote for people)."""
    return Message(code, "{text}", {"text": text})


def fixed_message(code: str, source: str) -> Message:
    """A fixed sentence (no parameters), ready to publish."""
    return Message(code, source)


@dataclass(frozen=True)
class MessageText:
    """One kind of message: a stable `code` and its English `source` with `{name}`s."""

    code: str
    source: str

    def __call__(self, **params: ParamValue) -> Message:
        """The message with these parameters (every `{name}` of the source)."""
        return Message(self.code, self.source, params)


@dataclass(frozen=True)
class PluralText:
    """A counted message: English `singular` and `plural`; `count` names the counted param."""

    code: str
    singular: str
    plural: str
    count: str = "count"

    def __call__(self, **params: ParamValue) -> Message:
        """The message with these parameters (the count among them)."""
        return Message(self.code, self.singular, params, plural=self.plural,
                       count_param=self.count)
