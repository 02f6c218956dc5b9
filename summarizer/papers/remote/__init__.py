"""Papers fetched by reference: `arxiv:ID` (the arXiv API) and `hf-daily:DATE` (a day's
Hugging Face daily-papers list), through one polite, cached HTTP client."""
