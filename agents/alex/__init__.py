"""Alex, the multi-agent financial advisor (imported as ``alex``; never as ``agents``,
which is the OpenAI Agents SDK)."""
