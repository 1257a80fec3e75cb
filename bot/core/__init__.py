"""Platform-neutral values and services; imports only the standard library."""
