"""What callcore publishes for integrators' own tests: the contract test suites of its
ports (:mod:`callcore.testing.contracts`)."""
