"""The tagger: classifies instruments nobody has classified yet (structured output)."""
