"""The admin screens' logic: the PIN gate and the diagnostics rows."""
