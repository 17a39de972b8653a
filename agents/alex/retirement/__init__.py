"""The retirement agent: Monte Carlo projections computed by code, explained by the model."""
