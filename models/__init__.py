"""Stance models: label schemes, bootstrap labellers, the transformers classifier, evaluation, matching."""
