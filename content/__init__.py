"""Campaign content: editable YAML files, their schema, loader and the UI translations."""
