"""Running documents: one document through every stage, worker processes, and the Prefect flow."""
