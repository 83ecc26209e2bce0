"""The review queue: decisions, reviewers, submitted sources, their safe fetch, text extraction."""
