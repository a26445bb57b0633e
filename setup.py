"""The compiled helpers (congvan/lib/_speedups.c): optional, congvan runs without them, more slowly."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("congvan.lib._speedups", ["congvan/lib/_speedups.c"], optional=True)])
