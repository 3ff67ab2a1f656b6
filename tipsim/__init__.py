"""tipsim: test in production, without paying for staging.

A teaching and simulation kit built on the talk "Test in Production:
Infrastructure Edition" (Rosemary Wang, HashiCorp, 2019). Each of the talk's
scenarios runs two ways that meet: against an AWS emulator (LocalStack, or the
embedded moto server) and in a simpy discrete-event model.

Importing ``tipsim`` is cheap: sub-packages are imported on demand.
"""

__version__ = "0.1.0"
