"""The reporter: a markdown analysis of the portfolio with structured recommendations."""
