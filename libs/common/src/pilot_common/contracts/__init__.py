"""What crosses service boundaries: the shapes other services read from a service's events.

The registry publishes programme rules, organisations, pilot objects and findings; intake and evaluation keep
their own copies. Defining the shapes once here keeps publisher and consumers in step.
"""
