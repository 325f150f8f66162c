"""migration_pipeline."""
