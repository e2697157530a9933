"""Voice samples, trained voice artefacts and similarity search."""
