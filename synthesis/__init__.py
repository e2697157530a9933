"""Speech synthesis: synchronous, asynchronous and streamed."""
