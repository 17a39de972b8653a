"""The charter: chart JSON for the portfolio, validated, with a safe fallback."""
