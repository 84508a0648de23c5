"""Shared vocabulary of every stage: the document model, errors, character classes, the numbers of
GB/T 9704, the national templates, settings and budgets.
"""
