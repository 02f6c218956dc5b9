"""Ways of filling a card: each engine turns a title and abstract into CardFields."""
