"""Local GGUF models through llama.cpp (the `local` extra), one job per module.

models.py   find the bundled SmolLM2 and check a GGUF file given by path
engine.py   `--engine local`: the model loaded in this process
server.py   `summarizer serve-local`: llama-cpp-python's server in a child process
app.py      that child's entry point (`python -m summarizer.local.app`)
compat.py   request rewrites that let llama-cpp-python answer json_schema mode
"""
