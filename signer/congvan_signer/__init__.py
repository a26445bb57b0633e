"""congvan-signer: a local signing agent for a person's own PKCS#11 token."""
