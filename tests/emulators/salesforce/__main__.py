"""`python -m tests.emulators.salesforce --port 8882 [--host H] [--config FILE]`."""

import sys

from .server import main

sys.exit(main())
