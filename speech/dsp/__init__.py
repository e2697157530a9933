"""Signal processing shared by the voice methods and the engine (no models, no Django)."""
