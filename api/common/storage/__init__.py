"""Connections to the two storage backends; each service defines its own stores on top."""
