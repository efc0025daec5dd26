"""Item pipelines, one concern each; ITEM_PIPELINES in settings.py sets their order."""
