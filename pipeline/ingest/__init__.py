"""Reading sources: finding them under inputs/ and decoding each into a Document."""
