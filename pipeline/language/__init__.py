"""Language tags, writing systems, word segmentation and the glossary."""
