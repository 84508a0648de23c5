"""Measuring a PDF against GB/T 9704: reading it back, the rules, and the font roles."""
