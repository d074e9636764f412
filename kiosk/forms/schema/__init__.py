"""Package data: the published JSON Schema of form definitions (``form.schema.json``)."""
