"""The BI dashboard: server-rendered pages whose charts read `/api/charts/...`, Plotly.js served locally.

Every page keeps its filters (`from`, `to`, `campaign`, `reward`, `tz`, and the page's own) in
the URL, so a view can be shared by its address; nothing is fetched from outside the server.
"""

from footfall.api.dashboard.pages import PAGES, error_page, mount_dashboard

__all__ = ["PAGES", "error_page", "mount_dashboard"]
