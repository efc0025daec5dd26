"""MongoDB storage of articles and crawl records.

One small module per concern: the connection factory (connection), indexes, the
stored form of an article (documents), the batch writer with its upsert rules
(writer), the replay file for articles that could not be written (replay), the
``crawls`` collection (crawls) and the streaming export (export). The item pipeline
(arabpress.pipelines.mongo) and the crawl record extension (arabpress.extensions.
crawlrecord) put them together; the ``export`` and ``replay`` commands reuse them.
"""
