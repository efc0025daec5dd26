"""Build hook for ``scrapyd-deploy``, which packs the project with ``python setup.py bdist_egg``.

All metadata, the package data (the sample site) and the ``scrapy`` entry point that
tells scrapyd the settings module are in pyproject.toml; without this file
scrapyd-deploy would write a setup.py of its own that misses them.
"""

from setuptools import setup

setup()
