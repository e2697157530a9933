"""The names of the voice-cloning methods (speech.cloning), importable without numpy, so
that settings can check VOICE_METHOD against them."""

METHOD_WARP = "world-f0-warp"
# The warp method plus frame-level envelope selection from the enrolment.
METHOD_KNN = "world-f0-warp-knn"
# The warp method plus per-sound-class envelope corrections learned from the recording
# aligned with the same words in the base voice.
METHOD_CLASSES = "world-f0-warp-classes"
METHODS = (METHOD_WARP, METHOD_KNN, METHOD_CLASSES)
