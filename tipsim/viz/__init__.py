"""plotly figure builders: data in, figure out. Nothing here runs a simulation."""
