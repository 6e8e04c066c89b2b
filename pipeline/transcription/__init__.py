"""What turns recognized speech into the source's words (homophone repair)."""
