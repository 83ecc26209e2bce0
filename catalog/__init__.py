"""The catalog: normalizing, identity, validation and comparison of what the sources state, the
database tables and store that apply a run, and the readers, views, exports and cost calculator over
the published values."""
