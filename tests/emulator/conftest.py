from tests.salesforce_emulator.fixtures import salesforce_emulator  # noqa: F401
