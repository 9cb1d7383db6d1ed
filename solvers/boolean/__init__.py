"""Boolean circuits over B2, AND-inverter and monotone gates: the SAT-chain encoding and its engine."""
