"""Analytics reports: the window planner, the runner's errors, typed rows, exports, charts.

``client.reports.run(...)`` returns a :class:`Report`; ``ReportError`` is what a report that
cannot be had raises. The optional libraries (matplotlib, pandas, pyarrow) are imported only by
the functions that need them.
"""

from .planner import Window, plan_windows
from .report import Report
from .runner import ReportError, ReportProgress, ReportStatus

__all__ = ["Report", "ReportError", "ReportProgress", "ReportStatus", "Window", "plan_windows"]
