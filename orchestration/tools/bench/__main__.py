"""`python -m orchestration.tools.bench`."""

import sys

from orchestration.tools.bench.main import main

sys.exit(main())
