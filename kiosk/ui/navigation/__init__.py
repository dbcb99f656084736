"""Which screen shows when: screen names and the router from session state to screen."""
