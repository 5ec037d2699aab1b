"""A members-only discussion forum for massage and bodywork professionals."""
