"""Device glue: Kivy set-up, fonts and kv loading, display rate, backlight, idle, devices."""
