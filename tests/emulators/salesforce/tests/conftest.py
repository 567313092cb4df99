from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401
