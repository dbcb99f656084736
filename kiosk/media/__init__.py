"""Media for the kiosk with aiortc: the room's devices out, the meeting's media in.

The session sees only `interface.MediaFactory` / `MediaCall`; the pieces:

- `call_factory.AiortcMediaFactory` makes one `peer_call.AiortcMediaCall` per call.
- `camera_source`, `test_pattern` (+ `frame_caption`), `file_camera`, `picamera_track`:
  KIOSK_CAMERA.
- `microphone_source`, `speaker_sink` (+ `portaudio`): KIOSK_MICROPHONE / KIOSK_SPEAKER.
- `outgoing_video`, `outgoing_audio`: what is sent (mute, lost device, self-view tee).
- `frame_mailbox`, `remote_video`: newest decoded frames, pulled by the UI as RGBA.
- `ice_configuration`, `codec_preferences`, `bitrate_cap`: negotiation and sending limits.
- `call_stats`, `rate_meter`: `MediaStats`.

Nothing here imports Kivy or does HTTP.
"""
