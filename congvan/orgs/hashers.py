"""The password hasher: Argon2id at OWASP's memory (19 MiB, one lane; three passes, OWASP asks two).

Django's default Argon2 settings take 100 MiB a hash: eight sign-ins at once on a small server's
eight threads reached 800 MB. Hashes made with other parameters are redone at their owner's next
sign-in (Django's ``must_update``)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2Hasher(Argon2PasswordHasher):
    time_cost = 3
    memory_cost = 19456  # KiB
    parallelism = 1
