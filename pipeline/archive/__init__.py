"""The archival package: the bag and record.xml, digests, the seal ledger, verification,
incremental runs and the output lock.
"""
