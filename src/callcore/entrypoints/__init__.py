"""Where every request enters callcore: the command line (`entrypoints.cli`) and HTTP
(`entrypoints.web`). Nothing inside the application imports this package; an entry point
parses, checks and hands a typed command to the centre (docs/design.md, "Layers")."""
