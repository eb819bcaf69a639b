import sys

from xlperf.cli import main

sys.exit(main())
