"""ReLU networks: the activation-pattern and bit-blasted encodings, their engines and the verifier."""
