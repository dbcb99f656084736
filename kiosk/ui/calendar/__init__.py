"""The room's calendar in the UI: the background feed, the agenda's words, joining from it
and the auto-join countdown. The calendar itself is `kiosk.calendar` (no Kivy there)."""
