"""The host's lines fitted to their slots, and what the host was heard to say."""
