"""Jobs: long-running work with progress, cancellation and live updates."""
