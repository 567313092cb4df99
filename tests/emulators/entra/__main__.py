"""`python -m tests.emulators.entra --port 8883 [--host H] [--config FILE] [--callback-url URL]`."""

import sys

from .server import main

sys.exit(main())
