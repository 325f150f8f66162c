"""Synthetic vendor exports, so the pipeline can be tested and benchmarked without client data."""
