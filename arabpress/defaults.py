"""Default values of every arabpress setting, in one place.

settings.py reads these (and the environment) to build the Scrapy settings; components
read the resulting settings through ``crawler.settings`` with typed getters, never this
module directly, so a test or a ``-s`` option can change them.
"""

from __future__ import annotations

# --- site -----------------------------------------------------------------------
# The production site's address is not known to the project: it is configured per
# deployment (environment variable ARABPRESS_BASE_URL, or ``-a base_url=``).
ARABPRESS_BASE_URL = "http://127.0.0.1:8123"
# Dates written without a zone are in the site's time zone.
ARABPRESS_TIMEZONE = "Asia/Riyadh"

# --- spider ---------------------------------------------------------------------
ARABPRESS_MAX_ARTICLES = 0  # 0: no limit

# --- dates ----------------------------------------------------------------------
ARABPRESS_DATES_ENABLED = True
# Seconds an article date may lie past the fetch time (clock skew, a zone misread by
# hours) before it is rejected as a typo or a scheduled post.
ARABPRESS_DATES_FUTURE_TOLERANCE = 86400
# Dates before this year are rejected: the site publishes nothing that old.
ARABPRESS_DATES_MIN_YEAR = 1990

# --- cleaning -------------------------------------------------------------------
# Extra boilerplate lines for the text cleaning pipeline: regexes, each matched
# case-insensitively against a whole cleaned paragraph. Given with -s, the value is split
# at commas, so a pattern given there cannot contain one.
ARABPRESS_CLEANING_EXTRA_BOILERPLATE: list[str] = []

# --- duplicates -----------------------------------------------------------------

# --- mongo ----------------------------------------------------------------------

# --- operations -----------------------------------------------------------------
ARABPRESS_STATS_FILE = ""  # write the final stats of each crawl here as JSON (empty: off)
