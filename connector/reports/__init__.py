"""Provincial and national progress: indicators against targets, dashboards and reports (issue 14)."""
