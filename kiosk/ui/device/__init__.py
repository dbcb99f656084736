"""Device glue: Kivy set-up, fonts and kv loading, display rate, backlight, idle, devices,
and synthetic touches through the Window (demo autopilot, benchmarks, tests)."""
