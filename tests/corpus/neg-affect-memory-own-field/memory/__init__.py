"""Episodic memory for a conversational agent, recalled by how an episode felt."""
