"""Intake's read models: its own applications (projected with their events) and its copy of the registry's
programmes, organisations, pilot objects and findings (kept by the consumers from `pilot-registry.events`)."""
