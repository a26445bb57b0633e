"""congvan: electronic official documents for organisations arranged in a hierarchy."""
