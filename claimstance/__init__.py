"""The `stance` command line and the end-to-end pipeline that ties the stages together."""

__version__ = "0.1.0"
