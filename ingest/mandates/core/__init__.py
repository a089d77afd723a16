"""Standard-library foundations: files written atomically, the tool's fingerprint, shipped resources, text folding and UN symbols."""
