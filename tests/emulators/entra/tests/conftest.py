from tests.emulators.entra.fixtures import entra_emulator  # noqa: F401
