"""The speech core: audio I/O, analysis, embeddings, TTS and cloning. No Django imports."""
