"""The parts of the join state machine (`kiosk.conference.ConferenceSession`).

PIN entry and its cool-down, the token refresher and event stream of a joined
meeting, roster and event handling, the media call's lifecycle, meeting
controls, leaving, and the snapshot published to observers. No Kivy import.
"""
