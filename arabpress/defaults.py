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
# A title segment ("| World | Foo News") that this many pages of a site put around their
# headline is the site's, and is removed from its other titles (0: learn nothing).
ARABPRESS_TITLE_AFFIX_MIN_PAGES = 3

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
MONGO_ENABLED = True  # off: no pipeline, no crawl record (MONGO_ENABLED=0 for runs without a database)
# Anything pymongo accepts: credentials, replica sets (?replicaSet=), TLS (?tls=true&tlsCAFile=...).
MONGO_URI = "mongodb://127.0.0.1:27017"
MONGO_DATABASE = "arabpress"
MONGO_COLLECTION = "articles"
MONGO_CRAWLS_COLLECTION = "crawls"  # one document per crawl run
# Seconds to find a usable server: bounds the start-up check and each write attempt.
MONGO_SERVER_SELECTION_TIMEOUT = 5.0
MONGO_SOCKET_TIMEOUT = 60.0  # seconds without an answer before a connection counts as lost
MONGO_BATCH_SIZE = 100  # articles per unordered bulk write
MONGO_FLUSH_INTERVAL = 5.0  # seconds: a partly filled batch is written after this long
MONGO_FLUSH_ON_IDLE = True  # a partly filled batch is also written as soon as the engine is idle
MONGO_RETRY_TIMES = 3  # retries of a batch after a lost connection or a transient error
MONGO_RETRY_BACKOFF = 1.0  # seconds before the first retry, doubled for each next one
# Articles that could not be written are kept here, one JSON Lines file per crawl, for
# ``arabpress replay FILE``.
MONGO_REPLAY_DIR = "replay"

# --- pages ----------------------------------------------------------------------
# The fetched page of every stored article is kept (compressed) for ``arabpress reextract``
# (arabpress.extensions.pagearchive); off: no page is kept.
ARABPRESS_PAGES_ENABLED = True
ARABPRESS_PAGES_COLLECTION = "pages"
ARABPRESS_PAGES_HISTORY = False  # also keep every distinct earlier copy, in <collection>_history
ARABPRESS_PAGES_RETENTION_DAYS = 0.0  # pages fetched longer ago are deleted after each crawl; 0: kept
ARABPRESS_REEXTRACT_COLLECTION = "reextracts"  # one document per re-extraction run (its progress)

# --- operations -----------------------------------------------------------------
ARABPRESS_STATS_FILE = ""  # write the final stats of each crawl here as JSON (empty: off)
# Longest wait, in seconds, before retrying a 429/503 that asks for one with Retry-After
# (arabpress.middlewares.retryafter); 0: retry at once, as Scrapy does.
ARABPRESS_RETRY_AFTER_MAX_DELAY = 60.0
# Count the encoding inferred for pages that declare none; drop binary bodies served as
# HTML (arabpress.middlewares.encoding).
ARABPRESS_ENCODING_ENABLED = True

# Incremental crawls (arabpress.middlewares.incremental): listings and sitemaps are always
# read; an article already stored is fetched again only when its sitemap <lastmod> is newer
# than the copy stored, or when it was last fetched more than ARABPRESS_REFRESH_DAYS ago.
ARABPRESS_INCREMENTAL_ENABLED = True
ARABPRESS_REFRESH_DAYS = 7.0  # 0: fetch every article on every crawl
ARABPRESS_INCREMENTAL_BATCH_SIZE = 500  # article URLs per database lookup

# A progress line every this many seconds (arabpress.extensions.progress); 0: none.
ARABPRESS_PROGRESS_INTERVAL = 60.0

# Checks of each finished crawl (arabpress.monitors); field coverage rules are the
# SPIDERMON_FIELD_COVERAGE_RULES in settings.py. A failed check marks the crawl failed.
ARABPRESS_MONITOR_MIN_ARTICLES = 1  # stored, or found unchanged by an incremental crawl
ARABPRESS_MONITOR_MAX_ERROR_RATIO = 0.05  # ERROR log lines per request
ARABPRESS_MONITOR_MAX_DROP_RATIO = 0.2  # dropped articles per article processed
# Drops that are filtering, not failures: left out of the drop ratio.
ARABPRESS_MONITOR_IGNORED_DROPS = ["DuplicateUrl", "PublishedBeforeSince"]

# Several crawl processes sharing one frontier in Redis (arabpress.distributed).
ARABPRESS_REDIS_ENABLED = False
REDIS_URL = "redis://127.0.0.1:6379/0"
ARABPRESS_REDIS_KEY = "arabpress"  # prefix of the crawl's Redis keys: one per site and deployment
ARABPRESS_REDIS_HEARTBEAT = 1.0  # seconds between each process's "busy/idle" updates (and idle checks)
ARABPRESS_REDIS_WORKER_TIMEOUT = 60.0  # seconds without an update before a process counts as gone
# Processes of one crawl writing one `crawls` document (`arabpress crawl --processes N` sets both).
ARABPRESS_CRAWL_ID = ""  # empty: scrapyd's job id, else a new id
ARABPRESS_CRAWL_PROCESSES = 1

# Python's garbage collector in the crawl process (arabpress.extensions.collector).
ARABPRESS_GC_FREEZE = True  # once the crawl has started, the collector stops walking start-up objects
# Allocations between young-generation collections; 0: Python's own (700). Pages are freed as
# they are read (no reference cycle holds their trees), so spacing collections out costs no memory.
ARABPRESS_GC_THRESHOLD = 5000
