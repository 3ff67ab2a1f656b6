"""ipywidgets panels wiring controls to scenarios and figures."""
