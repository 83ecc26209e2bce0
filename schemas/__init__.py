"""The vocabulary and records every layer shares: kinds, components, units and dimensions, drafts
and observations, review items, fetched pages, capabilities and the configured sources; and what
an interruption looks like by the time it reaches a flow or a command."""
