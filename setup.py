# Only for `scrapyd-deploy`, which builds an egg with `setup.py bdist_egg`; the project's
# metadata lives in pyproject.toml.
from setuptools import setup

setup()
