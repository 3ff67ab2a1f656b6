"""The HCL2 subset of the kit's stacks: parsed by python-hcl2, evaluated here."""
