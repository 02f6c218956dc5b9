"""`python -m summarizer.local.app ARGS`: llama-cpp-python's OpenAI-compatible server,
taking the same ARGS as `python -m llama_cpp.server`, with summarizer.local.compat's
request rewrite in front (json_schema mode). `summarizer serve-local` runs this."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any


def main(argv: Sequence[str] | None = None) -> None:
    """Parse llama_cpp.server's arguments, build its app, serve it behind the adapter."""
    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.cli import add_args_from_model, parse_model_from_args
    from llama_cpp.server.settings import ModelSettings, ServerSettings, Settings

    from summarizer.local.compat import ChatRequestAdapter

    parser = argparse.ArgumentParser(description=__doc__)
    add_args_from_model(parser, Settings)
    args = parser.parse_args(argv)
    # parse_model_from_args is annotated as returning the class; it returns an instance.
    server_settings: Any = parse_model_from_args(ServerSettings, args)
    model_settings: list[Any] = [parse_model_from_args(ModelSettings, args)]
    app = create_app(server_settings=server_settings, model_settings=model_settings)
    uvicorn.run(
        ChatRequestAdapter(app),
        host=server_settings.host,
        port=server_settings.port,
    )


if __name__ == "__main__":
    main()
