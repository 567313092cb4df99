"""Emulators of the identity providers Orgkeeper connects to (one package each)."""
