"""Intelligence products: reading them (reading), writing them (authoring), and what partners
would be given of a draft (release)."""
