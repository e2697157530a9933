"""The names of the voice-cloning methods (speech.cloning), importable without numpy, so
that settings can check VOICE_METHOD against them."""

METHOD_WARP = "world-f0-warp"
# The warp method plus frame-level envelope selection from the enrolment.
METHOD_KNN = "world-f0-warp-knn"
METHODS = (METHOD_WARP, METHOD_KNN)
