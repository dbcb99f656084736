"""Media for the kiosk with aiortc: the room's devices out, the meeting's media in.

The session sees only `interface.MediaFactory` / `MediaCall`; the pieces:

- `call_factory.AiortcMediaFactory` makes one `peer_call.AiortcMediaCall` per call.
- `camera_source`, `test_pattern` (+ `frame_caption`), `file_camera`, `picamera_track`:
  KIOSK_CAMERA.
- `microphone_source`, `speaker_sink` (+ `portaudio`): KIOSK_MICROPHONE / KIOSK_SPEAKER.
- `outgoing_video`, `outgoing_audio`: what is sent (mute, lost device, self-view tee).
- `encoded_video_track`: the kiosk's own video encoding, packets to aiortc's sender
  (`frame_encoder`, `video_encoder_settings`, `encode_load` adaptive resolution,
  `h264_parameter_sets`, `sender_link` for PLI/REMB, `encoder_choice` + `v4l2_devices`
  for KIOSK_VIDEO_ENCODER and the Pi 4's hardware H.264).
- `frame_mailbox`, `remote_video`: newest decoded frames, pulled by the UI (drawn as YUV).
- `ice_configuration`, `codec_preferences`, `bitrate_cap`: negotiation and sending limits.
- `call_stats`, `rate_meter`: `MediaStats`.

Nothing here imports Kivy or does HTTP.
"""
