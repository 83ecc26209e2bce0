"""The sources: one parser module per price source (parse and normalize, spiders/parsing.py says
what each provides), the Scrapy spiders and middlewares that fetch them, the crawl runner and the
replay server."""
