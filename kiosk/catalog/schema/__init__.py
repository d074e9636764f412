"""Package data: the JSON Schema of the service catalog (``catalog.schema.json``)."""
