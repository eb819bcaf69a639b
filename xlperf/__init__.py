"""xlperf: check and complete China's budget-performance workbooks, in Excel or headless."""

__version__ = "0.1.0"
