"""The mapping proposer: it drafts a mapping from an export and a destination schema; a person confirms it."""
