"""Everything that touches the world: storage, files, clock, notifiers, web, telephony."""
