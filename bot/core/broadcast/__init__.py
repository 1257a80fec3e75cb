"""Organizer broadcasts: values, composing, the service, the paced per-platform sender."""
