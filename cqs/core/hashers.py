"""Password hashing for the test suite only.

Production hashes with Django's Argon2PasswordHasher (argon2id, 100 MB, parallelism 8): by design
a tenth of a second of CPU per hash. The test suite creates a dozen accounts per test, so three
quarters of its time went to hashing. Under pytest (`cqs.core.pytest_env`) the same algorithm runs
with the smallest cost: the stored hashes still say `argon2`, verify the same way and are checked
by the same code, only cheaply.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
