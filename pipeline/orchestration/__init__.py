"""The task graph of a run: the registry, freshness, executors, progress."""
