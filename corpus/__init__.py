"""Documents in, claims out: readers, sentence splitting, voices, claim filter."""
