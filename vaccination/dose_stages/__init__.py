"""The stages of the dose import (vaccination.bulk.DoseImporter), one module each: read, match, checks, write;
common holds what they share. Listed in vaccination/bulk.py's docstring."""
