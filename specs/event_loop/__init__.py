"""The event loop: the running loop, get_event_loop, one task at a time (LOOP)."""
