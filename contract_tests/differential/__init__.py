"""The differential test: the same request sequences sent to several implementations, answers compared."""
