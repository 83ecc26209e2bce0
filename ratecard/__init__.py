"""The `ratecard` command line (ratecard/cli.py): refresh, catalog reads, exports, the review
queue, reviewers, submissions and the web server."""
