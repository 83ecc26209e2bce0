"""Scripts that run ratecard as a deployment would: the full stack on one machine."""
