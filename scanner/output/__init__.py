"""Reporters: pure functions from a ScanResult to text (SARIF, JSON, Markdown, ...); none of them print."""
