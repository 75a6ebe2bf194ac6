"""Summaries: extractive multi-document summaries with citations, optional LLM, and the faithfulness guard."""
