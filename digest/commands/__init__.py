"""One module per verb; each is a thin Click layer over a library function."""
