"""The speech core: audio I/O, analysis, embeddings, judges, TTS and voice methods. No Django imports."""
