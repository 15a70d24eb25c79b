"""The edition of the reference data. Bump it whenever an entry is added, removed or changed."""

REFERENCE_DATA_VERSION = "2023.2"
