"""Code shared by every service: settings, errors, logging, storage connections."""
