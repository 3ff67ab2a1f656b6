"""Stacks of AWS resources with toggles: plan, apply, destroy, inventory."""
