"""Threshold circuits: the lazy SAT + exact LP encoding, its engine, the MILP comparison and the verifier."""
