"""Every sentence and label the room sees, in the room's language.

`build_texts(translator)` makes the `Texts` of one language; each message is marked
with `_()` so that `make i18n-extract` (Babel) finds it. To add a text: a field
in `Texts` and its English source in `build_texts`, whole (named placeholders such as
`{name}`, never glued from pieces). Counted texts go through `Translator.ngettext`
at the place they are shown, as `participants_text` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.i18n import ClockFormat, Translator
from kiosk.i18n.room_locale import FALLBACK_LOCALE


@dataclass(frozen=True)
class Texts:
    """Every fixed sentence and label of the UI (already translated)."""

    join_meeting: str
    enter_meeting_id: str
    node_reachable: str
    node_unreachable: str
    node_checking: str
    camera_found: str
    camera_test: str
    camera_missing: str
    camera_disabled: str
    no_meetings: str
    demo_pins_title: str
    pin_required_title: str
    pin_optional_title: str
    pin_hint: str
    pin_placeholder: str
    pin_wrong: str
    pin_cooldown: str
    pin_cooldown_minutes: str
    join: str
    keypad_clear: str
    join_as_guest: str
    cancel: str
    meeting_id_title: str
    extension_title: str
    meeting_id_placeholder: str
    extension_placeholder: str
    connecting_title: str
    connecting_hint: str
    leaving_title: str
    waiting_title: str
    waiting_hint: str
    leave: str
    mic_on: str
    mic_off: str
    camera_on: str
    camera_off: str
    keypad: str
    hide_self_view: str
    show_self_view: str
    you_are_muted: str
    notice_camera_unavailable: str
    notice_reconnecting: str
    dtmf_title: str
    presenting: str
    someone_presenting: str
    speaking: str
    captions: str
    captions_waiting: str
    layout: str
    layout_title: str
    dtmf_hint: str
    close: str
    error_title: str
    error_generic: str
    back: str
    try_again: str
    error_auto_home: str
    idle_hint: str
    admin_pin_title: str
    admin_title: str
    admin_wrong_pin: str
    admin_unlock: str
    admin_restart: str
    admin_quit: str
    admin_close: str
    diag_version: str
    diag_node: str
    diag_node_reachable: str
    diag_camera: str
    diag_microphone: str
    diag_speaker: str
    diag_ip: str
    diag_last_error: str
    app_title: str
    device_in_use: str
    device_unavailable: str
    device_no_reason: str
    device_turned_off: str
    device_not_found: str
    device_test: str
    devices_found: str
    devices_none_found: str
    camera_test_pattern: str
    yes: str
    no: str
    unknown: str
    none: str
    # In-call: participants panel, host controls, meeting events, room volume
    people: str
    waiting_to_join: str
    in_the_meeting: str
    this_room: str
    role_host: str
    admit: str
    admit_all: str
    lock_meeting: str
    unlock_meeting: str
    mute_guests: str
    unmute_guests: str
    lower_all_hands: str
    raise_hand: str
    lower_hand: str
    ask_for_help: str
    mute_participant: str
    remove_participant: str
    remove_confirm_title: str
    remove_confirm_hint: str
    show_people: str
    alone_in_meeting: str
    done_admit: str
    done_admit_all: str
    done_lock: str
    done_unlock: str
    done_mute_guests: str
    done_unmute_guests: str
    done_mute: str
    done_unmute: str
    done_remove: str
    done_lower_all_hands: str
    done_raise_hand: str
    done_lower_hand: str
    done_ask_for_help: str
    refused_admit: str
    refused_admit_all: str
    refused_lock: str
    refused_unlock: str
    refused_mute_guests: str
    refused_unmute_guests: str
    refused_mute: str
    refused_unmute: str
    refused_remove: str
    refused_lower_all_hands: str
    refused_raise_hand: str
    refused_lower_hand: str
    refused_ask_for_help: str
    action_failed: str
    action_not_host: str
    on_hold_title: str
    on_hold_hint: str
    breakout_pill: str
    back_in_meeting: str
    moving_to: str
    moving_media: str
    message_toast: str
    message_toast_anonymous: str
    call_ended_reason: str
    volume: str
    volume_percent: str
    # The room's calendar on Home and the admin screen (CALENDAR engineer)
    agenda_now: str
    agenda_later: str
    agenda_other_meetings: str
    agenda_free_until: str
    agenda_free_today: str
    agenda_time_range: str
    agenda_private: str
    agenda_untitled: str
    agenda_join: str
    agenda_cannot_join: str
    agenda_teams_no_dial_in: str
    agenda_gateway_off: str
    agenda_other_node: str
    agenda_no_address: str
    agenda_teams_not_allowed: str
    calendar_updated: str
    calendar_last_updated: str
    calendar_unavailable: str
    calendar_reading: str
    auto_join_title: str
    auto_join_hint: str
    diag_calendar: str
    diag_calendar_next: str
    # Times and dates as the room's locale writes them (Babel): `texts.clock.time_text(t)`.
    clock: ClockFormat = field(default_factory=lambda: ClockFormat(FALLBACK_LOCALE))


def build_texts(translator: Translator, clock: ClockFormat | None = None) -> Texts:
    """The UI's texts in the translator's language (times in `clock`'s locale)."""
    _ = translator.gettext
    return Texts(
        clock=clock or ClockFormat(FALLBACK_LOCALE),
        join_meeting=_("Join {name}"),
        enter_meeting_id=_("Enter meeting ID"),
        node_reachable=_("Service connected"),
        node_unreachable=_("Service not reachable"),
        node_checking=_("Checking service…"),
        camera_found=_("Camera ready"),
        camera_test=_("Test camera"),
        camera_missing=_("No camera found"),
        camera_disabled=_("Camera turned off"),
        no_meetings=_("No meetings are set up for this room. Enter a meeting ID."),
        demo_pins_title=_("Demo PINs"),
        pin_required_title=_("This meeting needs a PIN"),
        pin_optional_title=_("Enter the host PIN, or join as a guest"),
        pin_hint=_("Type the PIN and press Join"),
        pin_placeholder=_("PIN"),
        pin_wrong=_("Incorrect PIN — try again"),
        pin_cooldown=_("Too many wrong PINs. Try again in {seconds} s"),
        pin_cooldown_minutes=_("Too many wrong PINs. Try again in {minutes} min"),
        join=_("Join"),
        keypad_clear=_("Clear"),
        join_as_guest=_("Join as guest"),
        cancel=_("Cancel"),
        meeting_id_title=_("Enter the meeting ID"),
        extension_title=_("Enter the meeting number"),
        meeting_id_placeholder=_("Meeting ID"),
        extension_placeholder=_("Meeting number"),
        connecting_title=_("Joining {name}…"),
        connecting_hint=_("Connecting to the meeting"),
        leaving_title=_("Leaving the meeting…"),
        waiting_title=_("Waiting for the host to join…"),
        waiting_hint=_("You will join automatically as soon as the host arrives."),
        leave=_("Leave"),
        mic_on=_("Mute"),
        mic_off=_("Unmute"),
        camera_on=_("Stop video"),
        camera_off=_("Start video"),
        keypad=_("Keypad"),
        hide_self_view=_("Tap to hide"),
        show_self_view=_("Show self-view"),
        you_are_muted=_("Microphone muted"),
        notice_camera_unavailable=_("Camera unavailable — others cannot see the room"),
        notice_reconnecting=_("Connection lost — reconnecting…"),
        dtmf_title=_("Keypad"),
        presenting=_("{name} is presenting"),
        someone_presenting=_("A presentation has started"),
        speaking=_("{name} is speaking"),
        captions=_("Captions"),
        captions_waiting=_("Captions will appear here"),
        layout=_("Layout"),
        layout_title=_("Choose the meeting's layout"),
        dtmf_hint=_("Tones are sent to the meeting as you press"),
        close=_("Close"),
        error_title=_("Could not join"),
        error_generic=_("Something went wrong. Please try again."),
        back=_("Back"),
        try_again=_("Try again"),
        error_auto_home=_("Returning to the start screen in {seconds} s"),
        idle_hint=_("Touch the screen to start"),
        admin_pin_title=_("Administrator PIN"),
        admin_title=_("Diagnostics"),
        admin_wrong_pin=_("Incorrect PIN — try again"),
        admin_unlock=_("Unlock"),
        admin_restart=_("Restart app"),
        admin_quit=_("Quit to system"),
        admin_close=_("Done"),
        diag_version=_("Version"),
        diag_node=_("Node"),
        diag_node_reachable=_("Node reachable"),
        diag_camera=_("Camera"),
        diag_microphone=_("Microphone"),
        diag_speaker=_("Speaker"),
        diag_ip=_("IP address"),
        diag_last_error=_("Last error"),
        app_title=_("Pexip room kiosk"),
        device_in_use=_("{device}: in use"),
        device_unavailable=_("{device}: unavailable ({reason})"),
        device_no_reason=_("no reason given"),
        device_turned_off=_("{device}: turned off"),
        device_not_found=_("{device}: not found"),
        device_test=_("test"),
        devices_found=_("{device} ({count} found)"),
        devices_none_found=_("{device} (none found)"),
        camera_test_pattern=_("test pattern"),
        yes=_("Yes"),
        no=_("No"),
        unknown=_("Unknown"),
        none=_("None"),
        people=_("People"),
        waiting_to_join=_("Waiting to join"),
        in_the_meeting=_("In the meeting"),
        this_room=_("This room"),
        role_host=_("Host"),
        admit=_("Admit"),
        admit_all=_("Admit all"),
        lock_meeting=_("Lock"),
        unlock_meeting=_("Unlock"),
        mute_guests=_("Mute guests"),
        unmute_guests=_("Unmute guests"),
        lower_all_hands=_("Lower hands"),
        raise_hand=_("Raise hand"),
        lower_hand=_("Lower hand"),
        ask_for_help=_("Ask for help"),
        mute_participant=_("Mute"),
        remove_participant=_("Remove"),
        remove_confirm_title=_("Remove {name} from the meeting?"),
        remove_confirm_hint=_("They can join again unless the meeting is locked."),
        show_people=_("Show"),
        alone_in_meeting=_("No one else is in the meeting yet."),
        done_admit=_("{name} was let in."),
        done_admit_all=_("Everyone who was waiting was let in."),
        done_lock=_("The meeting is locked. New guests wait until a host lets them in."),
        done_unlock=_("The meeting is unlocked."),
        done_mute_guests=_("All guests are muted."),
        done_unmute_guests=_("Guests are no longer muted."),
        done_mute=_("{name} is muted."),
        done_unmute=_("{name} is no longer muted."),
        done_remove=_("{name} was removed from the meeting."),
        done_lower_all_hands=_("All raised hands were lowered."),
        done_raise_hand=_("The room's hand is raised."),
        done_lower_hand=_("The room's hand is lowered."),
        done_ask_for_help=_("The host was asked to come and help."),
        refused_admit=_("The meeting service did not let {name} in."),
        refused_admit_all=_("The meeting service did not let the waiting guests in."),
        refused_lock=_("The meeting service did not lock the meeting."),
        refused_unlock=_("The meeting service did not unlock the meeting."),
        refused_mute_guests=_("The meeting service did not mute the guests."),
        refused_unmute_guests=_("The meeting service did not unmute the guests."),
        refused_mute=_("The meeting service did not mute {name}."),
        refused_unmute=_("The meeting service did not unmute {name}."),
        refused_remove=_("The meeting service did not remove {name}."),
        refused_lower_all_hands=_("The meeting service did not lower the raised hands."),
        refused_raise_hand=_("The meeting service did not raise the room's hand."),
        refused_lower_hand=_("The meeting service did not lower the room's hand."),
        refused_ask_for_help=_("The meeting service did not pass on the request for help."),
        action_failed=_(
            "The meeting service did not answer. Nothing was changed; please try again."),
        action_not_host=_("Only a host of the meeting can do that."),
        on_hold_title=_("On hold"),
        on_hold_hint=_("The meeting has put this room on hold. The call resumes by itself."),
        breakout_pill=_("Breakout room: {name}"),
        back_in_meeting=_("The room is back in the main meeting."),
        moving_to=_("Moving to {name}…"),
        moving_media=_("Setting up the call again…"),
        message_toast=_("{sender}: {text}"),
        message_toast_anonymous=_("Message: {text}"),
        call_ended_reason=_("The meeting service ended the call ({reason}). Reconnecting…"),
        volume=_("Volume"),
        volume_percent=_("{level} %"),
        agenda_now=_("Now"),
        agenda_later=_("Later today"),
        agenda_other_meetings=_("Other meetings"),
        agenda_free_until=_("Free until {time}"),
        agenda_free_today=_("Free for the rest of the day"),
        agenda_time_range=_("{start}–{end}"),
        agenda_private=_("Private meeting"),
        agenda_untitled=_("Meeting"),
        agenda_join=_("Join"),
        agenda_cannot_join=_("Booked — cannot be joined from this room"),
        agenda_teams_no_dial_in=_("This Teams meeting has no video-device dial-in"),
        agenda_gateway_off=_("{service} meetings cannot be joined from this room"),
        agenda_other_node=_("This meeting is on a video service this room may not call"),
        agenda_no_address=_("No video meeting in the invitation"),
        agenda_teams_not_allowed=_("This Teams meeting cannot be reached from this room"),
        calendar_updated=_("Calendar updated {time}"),
        calendar_last_updated=_("Calendar last updated {time}"),
        calendar_unavailable=_("Calendar unavailable"),
        calendar_reading=_("Reading the calendar…"),
        auto_join_title=_("Joining {name} in {seconds} s"),
        auto_join_hint=_("The meeting has started. Cancel to stay here."),
        diag_calendar=_("Calendar"),
        diag_calendar_next=_("Next meeting"),
    )


def starts_in_text(translator: Translator, minutes: int) -> str:
    """"Starts in 1 minute" / "Starts in 4 minutes"."""
    return translator.ngettext("Starts in {count} minute", "Starts in {count} minutes",
                               minutes).format(count=minutes)


def participants_text(translator: Translator, count: int) -> str:
    """"1 participant" / "3 participants", with the plural rules of the room's language."""
    return translator.ngettext("{count} participant", "{count} participants", count).format(
        count=count)


def guests_waiting_text(translator: Translator, count: int) -> str:
    """"1 guest is waiting" / "2 guests are waiting" (the lobby toast and the panel)."""
    return translator.ngettext("{count} guest is waiting", "{count} guests are waiting",
                               count).format(count=count)
