"""Steps of the embedded-dataset build (``geodata/build.py``), one module per concern."""
