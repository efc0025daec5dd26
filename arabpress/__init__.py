"""arabpress: crawl every Arab Press article (English and Arabic) into MongoDB."""

__version__ = "0.1.0"
