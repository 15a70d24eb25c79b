from tests.platform.conftest import make_database  # noqa: F401  (the same fresh databases as the platform tests)
