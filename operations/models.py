"""Operations has no models of its own: the live configuration is the configuration app's."""
