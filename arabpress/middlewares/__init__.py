"""Scrapy middlewares of the project, one concern each."""
