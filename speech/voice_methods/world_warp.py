"""``world-f0-warp``: pitch statistics, a formant warp found by search and a smooth mean-envelope
correction, re-synthesised with WORLD (speech.voice_methods.world)."""

from speech.voice_methods.world import WorldMethod

METHOD = WorldMethod()
