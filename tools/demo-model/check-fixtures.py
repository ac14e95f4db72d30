"""Check tools/demo-model/t5.py against the Hugging Face-made fixtures in test/fixtures.

Run from the repository root: /usr/bin/python3 tools/demo-model/check-fixtures.py
Compares encoder outputs (first 8 values per row) and greedy ids, one by one and batched.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from t5 import T5, load_safetensors  # noqa: E402


def check(name):
    d = os.path.join("test", "fixtures", name)
    config = json.load(open(os.path.join(d, "config.json")))
    if config["feed_forward_proj"] != "gated-gelu" or config["tie_word_embeddings"]:
        return f"{name}: skipped (only T5 v1.1 is implemented)"
    model = T5(config)
    model.load_state_dict(load_safetensors(os.path.join(d, "model.safetensors")), strict=True)
    model.eval()
    expected = json.load(open(os.path.join(d, "expected.json")))
    worst = 0.0
    for case in expected["cases"]:
        ids = torch.tensor([case["input_ids"]])
        with torch.no_grad():
            enc = model.encode(ids, torch.ones_like(ids))[0, :, :8]
        worst = max(worst, (enc - torch.tensor(case["encoder_last_hidden_state"]["first8_per_row"])).abs().max().item())
        got = model.greedy(ids, torch.ones_like(ids), 20)[0]
        assert got == case["greedy"]["sequence"][1:len(got) + 1], (case["text"], got)
    batched = expected["batched"]
    ids, mask = torch.tensor(batched["input_ids"]), torch.tensor(batched["attention_mask"])
    for got, want in zip(model.greedy(ids, mask, 20), batched["greedy_sequences"]):
        assert got == want[1:len(got) + 1], (got, want)
    assert worst < 1e-4, worst
    return f"{name}: {len(expected['cases'])} cases + batch greedy equal, encoder max abs diff {worst:.1e}"


if __name__ == "__main__":
    for fixture in ("t5-tiny-gated", "t5-tiny-relu"):
        print(check(fixture))
