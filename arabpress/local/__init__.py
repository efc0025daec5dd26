"""Throwaway local servers: the saved site and a MongoDB-compatible database.

``arabpress demo``, the tests and the benchmarks start them on free 127.0.0.1 ports and
stop them when done; nothing here is used by a production crawl.
"""
