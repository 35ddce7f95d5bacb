"""What every page type shares: the base page, slugs, site chrome, rich-text links, checks."""
