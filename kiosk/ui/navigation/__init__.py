"""Which screen shows when: screen names, the router from session state to screen, the
UI's state (snapshot + local context) and the screens, built lazily."""
