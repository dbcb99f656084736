"""The sentences the call screen shows for the meeting's events and the panel's results."""

from __future__ import annotations

from kiosk.session.room_view import ActionResult, ChatMessage, Outcome
from kiosk.ui.texts import Texts


def result_text(texts: Texts, result: ActionResult) -> tuple[str, bool]:
    """(sentence, is_warning) for the result of a panel action."""
    if result.outcome is Outcome.NOT_ALLOWED:
        return texts.action_not_host, True
    if result.outcome is Outcome.FAILED:
        return texts.action_failed, True
    prefix = "done_" if result.outcome is Outcome.DONE else "refused_"
    template: str = getattr(texts, prefix + result.action.value)
    return template.format(name=result.subject or "?"), result.outcome is not Outcome.DONE


def message_text(texts: Texts, message: ChatMessage) -> str:
    """A chat message as one line for a toast."""
    if message.sender:
        return texts.message_toast.format(sender=message.sender, text=message.text)
    return texts.message_toast_anonymous.format(text=message.text)
