"""Routine files: the dataclasses, the YAML schema, loading, names and the generated reference."""
