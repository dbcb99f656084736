"""What taps do, reached as `app.actions` (the meeting) and `app.room` (host controls,
volume); each runs as a guarded task on the session (`TaskRunner`)."""
