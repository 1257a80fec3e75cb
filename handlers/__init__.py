"""One module per command, one package per feature that outgrows a module: plain async
functions from a Request to a Reply. registry.py lists them all; policy.py says who may do what."""
