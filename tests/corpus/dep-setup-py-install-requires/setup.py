from setuptools import find_packages, setup

setup(
    name="affect-lab",
    version="0.3.0",
    packages=find_packages(),
    install_requires=[
        "numpy>=1.24",
        "py-feat>=0.6.1",
        "pandas",
    ],
)
