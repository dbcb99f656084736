"""The admin screens' logic: the PIN gate, their actions, the diagnostics rows, and the
room's own status (node reachability, last error) they and Home's status line show."""
