"""Scrapy settings of the arabpress project.

Values come from arabpress.defaults; the environment variables named in
ENVIRONMENT_OVERRIDES replace them, so a deployment (scrapyd host, docker-compose,
cron) configures the crawl without rebuilding the egg. ``-s NAME=VALUE`` and spider
arguments still win over both.
"""

from __future__ import annotations

import os

from arabpress.defaults import *  # noqa: F403 - every default becomes a Scrapy setting

# Settings that a deployment sets from its environment.
ENVIRONMENT_OVERRIDES = (
    "ARABPRESS_BASE_URL",
    "ARABPRESS_TIMEZONE",
    "ARABPRESS_MAX_ARTICLES",
    "MONGO_URI",
    "MONGO_DATABASE",
    "MONGO_COLLECTION",
    "MONGO_ENABLED",
    "ARABPRESS_PAGES_ENABLED",
    "MONGO_REPLAY_DIR",
    "MONGO_SERVER_SELECTION_TIMEOUT",
    "REDIS_URL",
    "ARABPRESS_REDIS_ENABLED",
    "LOG_LEVEL",
)
for _name in ENVIRONMENT_OVERRIDES:
    if os.environ.get(_name):
        globals()[_name] = os.environ[_name]

BOT_NAME = "arabpress"
SPIDER_MODULES = ["arabpress.spiders"]
NEWSPIDER_MODULE = "arabpress.spiders"
COMMANDS_MODULE = "arabpress.scrapy_commands"

USER_AGENT = "arabpress (+https://github.com/arabpress/arabpress)"
ROBOTSTXT_OBEY = True

# Polite by default against the real site; local runs (demo, tests, benchmarks) switch
# AutoThrottle off because the server is on this machine.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Scrapy starts this many asyncio workers for every response's output; a page yields at most
# one item, so the default 100 only costs CPU (about 1 ms per page).
CONCURRENT_ITEMS = 16
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0

# A news page is well under this; anything larger is not an article (counted by Scrapy
# as a cancelled download instead of filling memory).
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 3

# Retries wait what Retry-After asks (capped); binary bodies served as HTML are dropped.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "arabpress.middlewares.retryafter.RetryAfterMiddleware": 550,
    "arabpress.middlewares.encoding.EncodingMiddleware": 580,
}

ITEM_PIPELINES = {
    "arabpress.pipelines.cleaning.TextCleaningPipeline": 100,
    "arabpress.pipelines.validation.ValidationPipeline": 200,
    "arabpress.pipelines.dates.DateNormalizationPipeline": 300,
    "arabpress.pipelines.since.SinceFilterPipeline": 350,
    "arabpress.pipelines.duplicates.DuplicatesPipeline": 400,
    "arabpress.pipelines.fingerprint.FingerprintPipeline": 500,
    "arabpress.pipelines.mongo.MongoPipeline": 800,
}

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = globals().get("LOG_LEVEL", "INFO")
LOG_FORMATTER = "arabpress.logformatter.ArabPressLogFormatter"

EXTENSIONS = {
    "arabpress.extensions.crawlrecord.CrawlRecord": 800,
    "arabpress.extensions.pagearchive.PageArchive": 810,
    "arabpress.extensions.statsfile.StatsFile": 900,
    # ProgressLog is LogStats with drops, errors and skips in the same line.
    "scrapy.extensions.logstats.LogStats": None,
    "arabpress.extensions.progress.ProgressLog": 0,
    "arabpress.extensions.jobdir.JobDirGuard": 10,
    # After CoreStats (finish_reason) and before StatsFile (which writes the verdict). Spidermon's
    # extension, counting the field coverage of an article in microseconds rather than 0.2 ms.
    "arabpress.extensions.fieldcoverage.Spidermon": 500,
    # Last, so that it acts once the others have opened (ARABPRESS_GC_*).
    "arabpress.extensions.collector.GarbageCollector": 1000,
}

# Incremental crawls: stored, unchanged articles are not fetched again (ARABPRESS_REFRESH_DAYS).
SPIDER_MIDDLEWARES = {
    "arabpress.middlewares.incremental.IncrementalMiddleware": 550,
}

# ARABPRESS_REDIS_ENABLED switches the scheduler to the Redis-shared frontier.
ADDONS = {
    "arabpress.distributed.addon.RedisFrontier": 0,
}

# Checks of each finished crawl: arabpress/monitors.py (thresholds in defaults.py).
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["arabpress.monitors.CrawlChecks"]
SPIDERMON_ADD_FIELD_COVERAGE = True
SPIDERMON_FIELD_COVERAGE_SKIP_NONE = True  # a field set to None is a field the page lacked
SPIDERMON_FIELD_COVERAGE_SKIP_IF_NO_ITEM = True  # the article count check covers that case
SPIDERMON_FIELD_COVERAGE_RULES = {
    "ArticleItem/published_at": 0.95,
    "ArticleItem/body": 1.0,
}
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished", "max_articles"]
