"""How a version's words are made: routes, sentences, translation memory."""
