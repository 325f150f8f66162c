"""Reports for people: Markdown tables for the Dagster UI and files in the artifacts folder."""
