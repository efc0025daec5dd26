"""Scrapy extensions of the project, one concern each."""
